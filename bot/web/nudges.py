"""Nudges for members away from the page, through their township's WeCom or DingTalk group
robot: a fixed short text with an @mention by the mobile number they chose to give and the
chat's address, never what the bot wrote. One nudge per absence from the page; a claimed one
is never sent again (a crash between sending and recording loses it rather than repeating)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.config import ChannelConfig, RobotConfig
from bot.core.models import Member, MemberRole, Township, WebNudge, WebUser
from bot.core.tasks import Background
from bot.web.store import Wakeup

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)
SEEN_EVERY = timedelta(seconds=30)
BATCH = 20


async def page_seen(session: AsyncSession, user: WebUser, now: datetime) -> None:
    if user.page_seen_at is None or now - user.page_seen_at >= SEEN_EVERY:
        user.page_seen_at = now


async def note(session: AsyncSession, chat_id: int, channel: ChannelConfig, now: datetime) -> bool:
    """After the bot wrote to a private chat: queue a nudge when its person is away, has a
    township with a robot and was not nudged already since the page last saw them. True when
    one was queued."""
    if not channel.robots:
        return False
    user = await session.get(WebUser, chat_id)
    away = timedelta(seconds=channel.nudge_after_seconds)
    if user is None or (user.page_seen_at is not None and now - user.page_seen_at < away):
        return False
    codes = await session.scalars(
        select(Township.code)
        .join(MemberRole, MemberRole.township_id == Township.id)
        .join(Member, Member.id == MemberRole.member_id)
        .where(Member.telegram_user_id == user.id, Member.active, Township.active)
        .order_by(Township.code)
    )
    robots = {robot.township for robot in channel.robots}
    code = next((c for c in codes if c in robots), None)
    if code is None:
        return False
    since = select(WebNudge.id).where(WebNudge.user_id == user.id, WebNudge.status != "failed")
    if user.page_seen_at is not None:
        since = since.where(WebNudge.created_at > user.page_seen_at)
    if await session.scalar(since.limit(1)) is not None:
        return False
    session.add(
        WebNudge(
            user_id=user.id,
            township_code=code,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return True


def message(robot: RobotConfig, channel: ChannelConfig, mobile: str | None) -> dict[str, Any]:
    text = f"【{channel.bot_name}】您有新的消息，请打开 {channel.public_url} 查看。"
    mobiles = [mobile] if mobile else []
    if robot.kind == "wecom":
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    mention = f" @{mobile}" if mobile else ""
    return {
        "msgtype": "text",
        "text": {"content": text + mention},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


class Nudger:
    """Sends the waiting nudges; woken when one is queued, and checks every few seconds."""

    def __init__(self, channel: ChannelConfig, transaction: Any, clock: Clock) -> None:
        self.channel = channel
        self.transaction = transaction
        self.clock = clock
        self.wakeup = Wakeup()
        self.recorded = Wakeup()  # after every answer of a robot is recorded
        self._loop = Background(self._run)
        self._robots = {robot.township: robot for robot in channel.robots}

    def start(self) -> None:
        if self._robots:
            self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            while True:
                try:
                    await self.send_due(http)
                except Exception:  # the database or a robot is down: try again later
                    log.warning("could not send the group-robot nudges", exc_info=True)
                await self.wakeup.wait(5.0)

    async def send_due(self, http: httpx.AsyncClient) -> int:
        now = self.clock.now()
        async with self.transaction() as session:
            due = list(
                await session.scalars(
                    select(WebNudge)
                    .where(WebNudge.status == "pending", WebNudge.next_attempt_at <= now)
                    .order_by(WebNudge.id)
                    .limit(BATCH)
                )
            )
        sent = 0
        for nudge in due:
            sent += await self._send(http, nudge.id, now)
        return sent

    async def _send(self, http: httpx.AsyncClient, nudge_id: int, now: datetime) -> int:
        async with self.transaction() as session:
            claimed = await session.execute(
                update(WebNudge)
                .where(WebNudge.id == nudge_id, WebNudge.status == "pending")
                .values(status="sending", attempts=WebNudge.attempts + 1)
            )
            if not claimed.rowcount:
                return 0  # another instance has it
            nudge = await session.get(WebNudge, nudge_id)
            assert nudge is not None
            user = await session.get(WebUser, nudge.user_id)
            mobile = user.mobile if user is not None else None
            robot = self._robots.get(nudge.township_code)
            attempts = nudge.attempts
        delivered = robot is not None and await self._post(http, robot, mobile)
        async with self.transaction() as session:
            nudge = await session.get(WebNudge, nudge_id)
            assert nudge is not None
            if delivered:
                nudge.status, nudge.sent_at = "sent", self.clock.now()
            elif attempts >= MAX_ATTEMPTS or robot is None:
                nudge.status = "failed"
            else:
                nudge.status = "pending"
                nudge.next_attempt_at = now + FIRST_RETRY * 2 ** (attempts - 1)
        self.recorded.notify()
        return int(delivered)

    async def _post(self, http: httpx.AsyncClient, robot: RobotConfig, mobile: str | None) -> bool:
        try:
            answer = await http.post(robot.url, json=message(robot, self.channel, mobile))
            ok = answer.status_code == 200 and answer.json().get("errcode") == 0
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            # The address holds the robot's key: name only what went wrong.
            log.warning(
                "the %s group robot of %s failed: %s",
                robot.kind,
                robot.township,
                type(exc).__name__,
            )
            return False
        if not ok:
            log.warning("the %s group robot of %s refused a nudge", robot.kind, robot.township)
        return ok

"""Nudges for members away from the page, through their township's WeCom or DingTalk group
robot: a fixed short text with an @mention by the mobile number they chose to give and the
chat's address, never what the bot wrote. One nudge per absence from the page; a claimed one
is never sent again (a crash between sending and recording loses it rather than repeating)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.config import ChannelConfig, RobotConfig
from bot.core.models import Member, MemberRole, Township, WebNudge, WebUser
from bot.web.sender import Outcome, QueuedSender
from bot.web.store import Wakeup

log = logging.getLogger(__name__)
SEEN_EVERY = timedelta(seconds=30)


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


@dataclass(frozen=True)
class _Target:
    robot: RobotConfig
    mobile: str | None


class Nudger(QueuedSender[_Target]):
    """Sends the waiting nudges; a nudge whose township has no robot any more fails."""

    table = WebNudge
    nowhere = "failed"
    what = "group-robot nudges"

    def __init__(self, channel: ChannelConfig, transaction: Any, clock: Clock) -> None:
        super().__init__(transaction, clock, Wakeup())
        self.channel = channel
        self._robots = {robot.township: robot for robot in channel.robots}

    def start(self) -> None:
        if self._robots:
            super().start()

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=10)

    async def target(self, session: AsyncSession, row: Any, now: datetime) -> _Target | None:
        robot = self._robots.get(row.township_code)
        if robot is None:
            return None
        user = await session.get(WebUser, row.user_id)
        return _Target(robot, user.mobile if user is not None else None)

    async def post(self, http: httpx.AsyncClient, target: _Target) -> Outcome:
        robot = target.robot
        try:
            answer = await http.post(robot.url, json=message(robot, self.channel, target.mobile))
            ok = answer.status_code == 200 and answer.json().get("errcode") == 0
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            # The address holds the robot's key: name only what went wrong.
            log.warning(
                "the %s group robot of %s failed: %s",
                robot.kind,
                robot.township,
                type(exc).__name__,
            )
            return "retry"
        if not ok:
            log.warning("the %s group robot of %s refused a nudge", robot.kind, robot.township)
        return "sent" if ok else "retry"

"""Members away from the page are nudged through their township's group robot (a WeCom
receiver on loopback): a fixed text with an @mention, never the message; one at a time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from sqlalchemy import select

from bot.core.models import WebNudge
from tests.conftest import SENSITIVE
from tests.web.conftest import WebWorld
from tests.web.test_access import CADRE, OTHER_PERSON
from tests.web.test_botapi import call


class Robot:
    """A group robot's webhook on loopback: records every message; can refuse the next ones."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refuse = 0
        self.arrived = asyncio.Event()
        self.url = ""
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        robot = self

        class Hook(tornado.web.RequestHandler):
            def post(self) -> None:
                if robot.refuse:
                    robot.refuse -= 1
                    self.finish({"errcode": 45009, "errmsg": "api freq out of limit"})
                    return
                robot.received.append(json.loads(self.request.body))
                robot.arrived.set()
                self.finish({"errcode": 0, "errmsg": "ok"})

        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self._server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/send", Hook)]))
        self._server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/send?key=secret-robot-key"

    async def next(self) -> dict[str, Any]:
        await asyncio.wait_for(self.arrived.wait(), timeout=20)
        self.arrived.clear()
        return self.received[-1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


@pytest.fixture
async def robot() -> AsyncIterator[Robot]:
    hook = Robot()
    await hook.start()
    SENSITIVE.add("secret-robot-key")  # the robot's key never reaches the logs
    yield hook
    await hook.stop()


@pytest.fixture
def channel_extra(robot: Robot) -> dict[str, Any]:
    return {"robots": [{"township": "SHZ", "kind": "wecom", "url": robot.url}]}


async def nudges(web: WebWorld) -> list[WebNudge]:
    async with web.svc.transaction() as session:
        return list(await session.scalars(select(WebNudge).order_by(WebNudge.id)))


async def settled(web: WebWorld) -> list[WebNudge]:
    """The nudges once no robot's answer is still being recorded."""
    for _ in range(20):
        rows = await nudges(web)
        if all(row.status != "sending" for row in rows):
            return rows
        await web.server.nudger.recorded.wait(1.0)
    raise AssertionError("a nudge stayed claimed")


async def test_a_member_away_from_the_page_is_nudged_once(web: WebWorld, robot: Robot) -> None:
    cadre = await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    assert (await cadre.http.post("/api/me/mobile", json={"mobile": "13800138000"})).is_success
    assert (await cadre.http.post("/api/me/mobile", json={"mobile": "12345"})).status_code == 400
    chat = CADRE.telegram_user_id
    await call(web, "sendMessage", chat_id=chat, text="周五交账提醒：张三的案件已逾期")
    await call(web, "sendMessage", chat_id=chat, text="第二条")
    sent = await robot.next()
    assert sent["msgtype"] == "text"
    assert sent["text"]["mentioned_mobile_list"] == ["13800138000"]
    content = sent["text"]["content"]
    assert "新的消息" in content and "张三" not in content and "逾期" not in content
    assert "http://127.0.0.1" in content
    [nudge] = await settled(web)  # one nudge per absence, however many messages
    assert nudge.status == "sent"

    # Looking at the page: no nudge while there.
    await cadre.messages(chat)
    await call(web, "sendMessage", chat_id=chat, text="第三条")
    assert len(await nudges(web)) == 1
    # Away again: the next message nudges again.
    web.clock.advance(timedelta(minutes=3))
    await call(web, "sendMessage", chat_id=chat, text="第四条")
    await robot.next()
    assert len(robot.received) == 2
    assert [n.status for n in await settled(web)] == ["sent", "sent"]


async def test_a_refusing_robot_is_tried_again_later(web: WebWorld, robot: Robot) -> None:
    nudger = web.server.nudger
    await nudger.stop()  # this test sends the due nudges itself
    await web.browser_of(CADRE.telegram_user_id, CADRE.name)
    robot.refuse = 1
    await call(web, "sendMessage", chat_id=CADRE.telegram_user_id, text="提醒")
    async with httpx.AsyncClient() as http:
        assert await nudger.send_due(http) == 0
        [nudge] = await nudges(web)
        assert nudge.attempts == 1 and nudge.status == "pending" and robot.received == []
        assert await nudger.send_due(http) == 0  # not due yet: the robot is not asked
        web.clock.advance(timedelta(seconds=31))
        assert await nudger.send_due(http) == 1
        assert await nudger.send_due(http) == 0
    [nudge] = await nudges(web)
    assert nudge.status == "sent" and nudge.attempts == 2 and len(robot.received) == 1


async def test_no_robot_no_nudge(web: WebWorld, robot: Robot) -> None:
    await web.browser_of(OTHER_PERSON.telegram_user_id, OTHER_PERSON.name)
    await call(web, "sendMessage", chat_id=OTHER_PERSON.telegram_user_id, text="提醒")
    assert await nudges(web) == []


def test_a_dingtalk_robot_mentions_in_the_text() -> None:
    from bot.core.config import ChannelConfig, RobotConfig
    from bot.web.nudges import message

    robot = RobotConfig(township="SHZ", kind="dingtalk", url="https://oapi.dingtalk.com/robot/send")
    channel = ChannelConfig(kind="web", public_url="https://chat.example.gov.cn")
    sent = message(robot, channel, "13800138000")
    assert sent["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}
    assert sent["text"]["content"].endswith("https://chat.example.gov.cn 查看。 @13800138000")
    assert message(robot, channel, None)["at"]["atMobiles"] == []

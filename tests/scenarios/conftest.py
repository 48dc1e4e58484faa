"""Each scenario runs twice: on Telegram as the emulator plays it, and on the web channel
(the township's own server, its chat's JSON API, a group robot's webhook on loopback)."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.sample import ADMIN, PEOPLE
from tests.sandbox.test_browser import ARTIFACTS, REASON
from tests.scenarios.channels import Channel, ChromiumChannel, EmulatorChannel, WebChannel
from tests.web.conftest import bot_mode, web  # noqa: F401  (the web channel's fixtures)
from tests.web.test_browser import chromium  # noqa: F401  (one headless Chromium)
from tests.web.test_nudges import Robot, robot  # noqa: F401  (the group robot on loopback)


@pytest.fixture
def channel_extra(robot: Robot) -> dict[str, Any]:  # noqa: F811
    return {"robots": [{"township": "SHZ", "kind": "wecom", "url": robot.url}]}


@pytest.fixture(params=["emulator", "web"])
def driver(request: pytest.FixtureRequest, database_url: str) -> Channel:
    """The channel a scenario runs on; `chromium` (the web chat in a phone-sized headless
    Chromium) where a test asks for it with `@pytest.mark.parametrize(..., indirect=True)`.
    Both channels' fixtures use `database_url`: named here, it is seen before they run."""
    if request.param == "emulator":
        return EmulatorChannel(request.getfixturevalue("world"))
    server, hook = request.getfixturevalue("web"), request.getfixturevalue("robot")
    if request.param == "web":
        return WebChannel(server, hook)
    if REASON is not None:
        pytest.skip(REASON)
    return ChromiumChannel(server, hook, request.getfixturevalue("chromium"), ARTIFACTS)


@pytest.fixture
async def channel(driver: Channel) -> Channel:
    await driver.start([*PEOPLE, ADMIN])
    return driver

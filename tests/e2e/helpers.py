"""Helpers for end-to-end tests: act as a user, read what the bot sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.core.db import members as member_db
from bot.core.i18n import gettext_for
from bot.core.text import plain
from bot.members import queries as member_queries
from devkit.sample import PEOPLE


def _as_read(language: str) -> Callable[[str], str]:
    """A message as a reader sees it (the emulator's `.text`): plain text, so that
    `.format()` in a test inserts values as they are, not escaped."""
    translate = gettext_for(language)
    return lambda message: plain(translate(message))


zh = _as_read("zh_CN")
en = _as_read("en")

SECRETARY, CADRE_LI, CADRE_WANG, CADRE_ZHAO, CADRE_SUN, MEDIATOR_ZHOU = PEOPLE
NEWCOMER_ID = 3001


# An upper bound, not a timing: a reply that builds a PDF or a chart in a child process can
# take many seconds on a loaded 2-core machine (one test worker per core).
REPLY_WITHIN = 60.0


async def ask(world: Any, user_id: int, text: str, n: int = 1) -> list[Any]:
    user = world.user(user_id)
    await user.send(text)
    return list(await user.replies(n, timeout=REPLY_WITHIN))


async def ask1(world: Any, user_id: int, text: str) -> Any:
    [reply] = await ask(world, user_id, text, 1)
    return reply


async def press(world: Any, user_id: int, message: Any, label: str) -> Any:
    """Press a button and return the edited message."""
    user = world.user(user_id)
    await user.press(message, label)
    return await user.wait_edit(message, timeout=10)


async def press_alert(world: Any, user_id: int, message: Any, data: str) -> Any:
    """Press (possibly forged) callback data and return the bot's callback answer."""
    user = world.user(user_id)
    query_id = await user.press_data(message, data)
    return await user.callback_answer(query_id, timeout=10)


async def make_invite(world: Any, role: str, code: str = "SHZ", hours: int = 72) -> str:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, code)
        assert township is not None
        return await member_queries.create_invite(
            session,
            township_id=township.id,
            role=role,
            now=world.clock.now(),
            valid_for=timedelta(hours=hours),
        )


def token_from(text: str) -> str:
    match = re.search(r"start=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def button_labels(message: Any) -> list[str]:
    return [label for row in message.buttons for label, _ in row]

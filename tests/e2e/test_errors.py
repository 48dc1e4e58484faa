"""The one error handler: the user is told, the admins are told, nothing personal is logged."""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler

from tests.conftest import SENSITIVE
from tests.e2e.helpers import CADRE_LI, zh

ADMIN_CHAT = -100777


@pytest.fixture
def settings_extra() -> dict:
    return {"telegram": {"admin_chat_id": ADMIN_CHAT}}


async def test_an_unexpected_error_is_reported_without_personal_data(world) -> None:
    world.emu.add_group(ADMIN_CHAT, "县级管理群")
    SENSITIVE.update({"当事人王某某", "13812345678"})

    async def broken(update, context) -> None:
        raise ValueError("party data: " + " ".join(context.args))

    world.app.add_handler(CommandHandler("boom", broken), group=-1)
    user = world.user(CADRE_LI.telegram_user_id)
    await user.send("/boom 当事人王某某 13812345678")
    replies = await user.replies(2, timeout=10)  # the apology, and the unknown-command reply
    assert zh(
        "Sorry, something went wrong on my side. Please try again; if it keeps happening, "
        "tell your township secretary."
    ) in [r.text for r in replies]
    [notice] = await world.emu.chat(ADMIN_CHAT).replies(1, timeout=10)
    assert "ValueError" in notice.text and "13812345678" not in notice.text

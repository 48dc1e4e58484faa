"""An update the library cannot read, over the webhook of one active instance
(`[telegram] mode = "webhook"`): answered 200 and skipped, never refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.core.ingress import SECRET_HEADER
from tests.conftest import SENSITIVE
from tests.e2e.helpers import CADRE_LI, ask1, zh
from tests.e2e.test_other_servers import OLD_POLL, POLL_QUESTION, SORRY, message
from tests.processes import free_port

LI = CADRE_LI.telegram_user_id
SECRET = "hook-secret-for-the-emulator"


@pytest.fixture
def settings_extra() -> dict[str, Any]:
    port = free_port()
    hook = {
        "listen": "127.0.0.1",
        "port": port,
        "url_path": "tg",
        "public_url": f"http://127.0.0.1:{port}",
        "secret_token": SECRET,
    }
    return {"telegram": {"mode": "webhook", "webhook": hook}}


async def test_an_update_the_library_cannot_read_is_taken_and_skipped(world) -> None:
    """Telegram is answered 200 (a 400 would make it send the update again for ever, and
    hold up every later one); the sender is asked once to send it again, also when Telegram
    delivers it twice; the next updates are handled."""
    SENSITIVE.add(POLL_QUESTION)
    bot = world.emu.bot()
    pushed = world.emu.push_update(bot, "message", message(world, LI, 931, poll=OLD_POLL))
    assert [r.text for r in await world.user(LI).replies(1, timeout=30)] == [zh(SORRY)]
    hook = world.settings.telegram.webhook
    async with httpx.AsyncClient() as client:
        again = await client.post(
            f"http://127.0.0.1:{hook.port}/tg", json=pushed, headers={SECRET_HEADER: SECRET}
        )
    assert again.status_code == 200
    reply = await ask1(world, LI, "/help")
    assert "/visit" in reply.text and world.user(LI).unread == []
    assert world.emu.stats.webhook_failures == 0 and world.emu.stats.webhook_deliveries >= 2

"""What a township must see working first, on Telegram, on the web chat's API and in a
phone-sized headless Chromium (screenshots in test-artifacts/): a newcomer signs in from an
invitation, logs a visit and submits the Friday report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.helpers import SECRETARY, zh
from tests.scenarios.channels import Channel, ChromiumChannel, ask1


@pytest.mark.parametrize("driver", ["emulator", "web", "chromium"], indirect=True)
async def test_a_newcomer_signs_in_logs_a_visit_and_reports(channel: Channel) -> None:
    link = await ask1(channel, SECRETARY.telegram_user_id, "/invite cadre")
    newcomer, card = await channel.open_invitation(link.text, "吴小平")
    assert "吴小平" in card.text
    welcome = await channel.press(newcomer, card, zh("✅ Confirm"))
    assert welcome.text == zh("Welcome, {name}! You are registered.").format(name="吴小平")
    [help_text] = await channel.replies(newcomer)
    assert "/visit" in help_text.text

    card = await ask1(channel, newcomer, "/visit")
    card = await channel.press(newcomer, card, "东岭村")
    card = await channel.press(newcomer, card, "⬜ 听取民意")
    assert "☑️ 听取民意" in card.labels
    saved = await channel.press(newcomer, card, zh("✅ Save"))
    assert zh("✅ Visit logged.") in saved.text
    assert zh("✏️ Edit") in saved.labels
    await channel.screenshot(newcomer, "web-phone-visit")

    channel.clock.advance(timedelta(days=4, hours=5))  # Friday 14:00, the report window
    await channel.read_all(newcomer)
    preview = await ask1(channel, newcomer, "/report")
    assert "东岭村" in preview.text and zh("✅ Submit") in preview.labels
    submitted = await channel.press(newcomer, preview, zh("✅ Submit"))
    assert "✅ 报告已按时提交" in submitted.text
    await channel.screenshot(newcomer, "web-phone-report")
    if isinstance(channel, ChromiumChannel):
        assert await channel.fits_the_phone(newcomer)
        assert channel.problems == []

"""/redblack is used with taps: alone it offers its previews and history as buttons, a
preview offers its publication, and the words a Chinese secretary types (预览, 发布) work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.models import RedBlackIssue
from devkit.sample import GROUP_CHAT_ID
from tests.e2e.helpers import CADRE_LI, SECRETARY, ask, ask1, button_labels, press_alert, zh
from tests.e2e.test_redblack import facts_for

SEC = SECRETARY.telegram_user_id
PREVIEW_WEEK = zh("👀 Preview: week")
PUBLISH = zh("📢 Publish to the township group")


async def published(world) -> list[int]:
    async with world.svc.transaction() as session:
        rows = await session.scalars(
            select(RedBlackIssue.number).where(RedBlackIssue.status == "published")
        )
        return list(rows)


async def test_redblack_alone_offers_buttons_and_a_preview_offers_publishing(world) -> None:
    facts_for(world)
    menu = await ask1(world, SEC, "/redblack")
    assert "/redblack correct" in menu.text
    assert button_labels(menu) == [
        PREVIEW_WEEK,
        zh("👀 Preview: month"),
        zh("👀 Preview: quarter"),
        zh("🗂 Published lists"),
    ]
    user = world.user(SEC)
    await user.press(menu, PREVIEW_WEEK)
    lists, summary = await user.replies(2, timeout=10)
    assert zh("Red list (红榜)") in lists.text
    assert button_labels(summary) == [PUBLISH]
    # Publishing waits for the objection window, as the typed command does.
    await user.press(summary, PUBLISH)
    [refused] = await user.replies(1, timeout=10)
    assert refused.text.startswith(
        zh(
            "The objection window is open until {until}. The list can be published after it closes."
        ).split("{")[0]
    )
    assert await published(world) == []
    world.clock.advance(timedelta(hours=49))
    await user.press(summary, PUBLISH)
    await user.replies(2, timeout=10)  # the printable page and the confirmation
    assert await published(world) == [1]
    assert any(
        zh("Red list (红榜)") in (m.text or "") for m in world.emu.chat(GROUP_CHAT_ID).messages
    )


async def test_chinese_subcommands(world) -> None:
    facts_for(world)
    lists, _summary = await ask(world, SEC, "/redblack 预览 周", 2)
    assert zh("Red list (红榜)") in lists.text
    history = await ask1(world, SEC, "/redblack 历史")
    assert history.text != zh(
        "Usage:\n/redblack preview [week|month|quarter]\n/redblack publish "
        "[week|month|quarter]\n/redblack correct [week|month|quarter] &lt;reason&gt;\n"
        "/redblack history"
    )


async def test_the_menu_answers_only_a_manager(world) -> None:
    facts_for(world)
    menu = await ask1(world, SEC, "/redblack")
    [[_label, data], *_] = menu.buttons[0]
    answer = await press_alert(world, CADRE_LI.telegram_user_id, menu, data)
    assert answer.show_alert
    assert await published(world) == []


async def test_export_takes_the_periods_its_buttons_offer(world) -> None:
    facts_for(world)
    user = world.user(SEC)
    await user.send("/export 季度")
    first = await user.reply(timeout=60)
    assert first.text != zh(
        "Usage: /export, then choose the period; or /export week, month or quarter"
    )
    assert first.document is not None or "xlsx" in (first.text or "").lower()

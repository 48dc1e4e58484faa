"""A pressed button whose message cannot take the new view (a photo's or document's caption,
or a message too old for the Bot API server to edit) gets the view as a new message, not an
apology; the old message loses its buttons, as an edit would have taken them, so that only
the new view's buttons act."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.db import members as member_db
from bot.core.outbox import Attachment, Outgoing, enqueue
from bot.core.text import Html
from devkit.emulator import tiny_png
from tests.e2e.helpers import CADRE_WANG, SECRETARY, ask1, button_labels, zh

SEC = SECRETARY.telegram_user_id


async def _shz(world: Any) -> int:
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, "SHZ")
        return int(township.id)


async def test_a_button_on_an_old_message_sends_the_view_anew(world) -> None:
    world.emu.limits.edit_within_hours = 48
    listing = await ask1(world, SEC, "/members")
    later = world.emu.clock() + timedelta(hours=49)
    world.emu.clock = lambda: later
    user = world.user(SEC)
    await user.press(listing, CADRE_WANG.name)
    [card] = await user.replies(1, timeout=30)
    assert CADRE_WANG.name in card.text and "西坡村" in card.text
    assert zh("🚫 Deactivate") in button_labels(card)
    # The list stays as it was, without its buttons: the card below is the one to use.
    old = await user.wait_edit(listing, timeout=10)
    assert old.text == listing.text and old.buttons == []
    assert not user.unread
    # The new card is recent: its buttons edit it in place.
    await user.press(card, f"⬜ {zh('mediator')}")
    card = await user.wait_edit(card, timeout=10)
    assert f"☑️ {zh('mediator')}" in button_labels(card)
    assert not user.unread


async def test_a_button_on_a_photo_sends_the_view_anew(world) -> None:
    wang = world.member_ids[CADRE_WANG.telegram_user_id]
    data = world.svc.codec.pack(SEC, "mem", "card", await _shz(world), wang)
    chart = Outgoing(
        key="chart-with-a-button",
        job="test",
        chat_id=SEC,
        text=Html("本周图表"),
        member_id=world.member_ids[SEC],
        attachment=Attachment("photo", tiny_png(), "chart.png"),
        reply_markup={"inline_keyboard": [[{"text": "📇", "callback_data": data}]]},
    )
    async with world.svc.transaction() as session:
        await enqueue(session, [chart], world.clock.now())
    await world.scheduler.sender.drain()
    user = world.user(SEC)
    [photo] = await user.replies(1, timeout=30)
    assert photo.photo is not None

    await user.press(photo, "📇")
    [card] = await user.replies(1, timeout=30)
    assert CADRE_WANG.name in card.text and "西坡村" in card.text
    old = await user.wait_edit(photo, timeout=10)
    assert old.photo is not None and old.caption == "本周图表" and old.buttons == []
    assert not user.unread


async def test_a_view_that_did_not_change_stays_as_it_is_in_silence(world) -> None:
    listing = await ask1(world, SEC, "/members")
    user = world.user(SEC)
    # The list's own first page again: Telegram answers "message is not modified".
    data = world.svc.codec.pack(SEC, "mem", "list", await _shz(world), 0)
    answer = await user.callback_answer(await user.press_data(listing, data), timeout=10)
    assert not answer.show_alert
    # A member's updates are handled in order: the next answer comes after that press's.
    after = await ask1(world, SEC, "/help")
    assert "/members" in after.text
    assert not user.unread
    assert [e[0] for e in world.emu.stats.errors] == ["editMessageText"]
    assert "not modified" in world.emu.stats.errors[0][2]


async def test_an_edit_refused_in_other_words_still_sends_the_view_anew(world, monkeypatch) -> None:
    """A Bot API server that words its refusals otherwise (another language, no "Bad
    Request: " prefix): the pressed button still gets the view as a new message, not an
    apology."""
    from bot.web.botapi.rules import ApiError
    from devkit.emulator.methods import METHODS

    async def refused(*args: Any) -> Any:
        raise ApiError(400, "Ошибка: сообщение нельзя изменить")

    listing = await ask1(world, SEC, "/members")
    monkeypatch.setitem(METHODS, "editmessagetext", refused)
    user = world.user(SEC)
    await user.press(listing, CADRE_WANG.name)
    [card] = await user.replies(1, timeout=30)
    assert CADRE_WANG.name in card.text and "西坡村" in card.text
    assert zh("🚫 Deactivate") in button_labels(card)

"""A case's card: its facts, its timeline, and for mediators and the secretary the parties'
phone numbers in an alert (for the follow-up call). Opened by number or from a list."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cases import queries as case_db
from bot.cases.access import allowed_for, can_view, sees_parties
from bot.cases.buttons import ACTION_CODES, BUTTONS, Act
from bot.cases.township import view_of
from bot.cases.views import (
    ACTION_BUTTONS,
    BACK_TO_CASE,
    FULL_TIMELINE,
    NO_PHONES,
    NOT_FOUND,
    PHONES,
    PHONES_PRIVATE,
    REFRESH,
    Screen,
    card_context,
    pairs,
    with_notice,
)
from bot.core.db import members as member_db
from bot.core.db.directory import TownshipInfo
from bot.core.flows import Press
from bot.core.text import MESSAGE_LIMIT, Html, visible_length
from bot.core.turn import Button, MemberTurn

ALERT_LIMIT = 200  # characters of a callback query's alert (Bot API)


@dataclass(frozen=True)
class Visible:
    """A case the member may see, with its township."""

    detail: case_db.CaseDetail
    township: TownshipInfo

    @property
    def case(self) -> case_db.CaseSummary:
        return self.detail.summary


async def load_visible(turn: MemberTurn, case_id: int) -> Visible | None:
    async with turn.svc.transaction() as session:
        detail = await case_db.case_detail(session, case_id)
    if detail is None or not can_view(turn.actor, detail.summary):
        return None
    township = turn.svc.directory.township(detail.summary.state.township_id)
    return None if township is None else Visible(detail, township)


def not_found(turn: MemberTurn, number: str = "") -> Html:
    return turn._(NOT_FOUND).format(number=number)


def card_text(turn: MemberTurn, visible: Visible) -> Html:
    context = card_context(
        view_of(turn, visible.township),
        visible.detail,
        show_parties=sees_parties(turn.actor, visible.township.id),
    )
    text = turn.svc.renderer.render("cases/card.html.j2", turn.lang, **context)
    if visible_length(text) > MESSAGE_LIMIT - 100:
        context["description"] = context["description"][:200] + "…"
        context["summary"] = context["summary"][:200] + ("…" if context["summary"] else "")
        context["hidden"] += max(0, len(context["events"]) - 3)
        context["events"] = context["events"][-3:]
        text = turn.svc.renderer.render("cases/card.html.j2", turn.lang, **context)
    return text


def card_rows(turn: MemberTurn, visible: Visible) -> list[list[Button]]:
    _ = turn._
    case = visible.case
    actions = [
        BUTTONS.button(
            turn, _(ACTION_BUTTONS[a]), Act.ACTION, case.id, case.version, ACTION_CODES[a]
        )
        for a in allowed_for(turn.actor, case)
    ]
    rows = pairs(actions)
    if sees_parties(turn.actor, visible.township.id) and any(
        p.phone for p in visible.detail.parties
    ):
        rows.append([BUTTONS.button(turn, _(PHONES), Act.PHONES, case.id)])
    rows.append(
        [
            BUTTONS.button(turn, _(FULL_TIMELINE), Act.TIMELINE, case.id),
            BUTTONS.button(turn, _(REFRESH), Act.CARD, case.id),
        ]
    )
    return rows


def card_screen(turn: MemberTurn, visible: Visible, notice: Html | None = None) -> Screen:
    return Screen(with_notice(notice, card_text(turn, visible)), card_rows(turn, visible))


async def show_card(
    turn: MemberTurn,
    case_id: int,
    *,
    fresh: bool = False,
    notice: Html | None = None,
    number: str = "",
) -> bool:
    """The card in place of the pressed message (or a new message when `fresh`, or when no
    button was pressed); False, after saying so, when the member may not see the case (asked
    for by its `number`)."""
    visible = await load_visible(turn, case_id)
    if visible is None:
        if turn.query is not None:
            await turn.answer(not_found(turn, number), alert=True)
        else:
            await turn.send(not_found(turn, number))
        return False
    screen = card_screen(turn, visible, notice)
    if fresh or turn.query is None:
        await turn.send(screen.text, screen.rows)
    else:
        await turn.show(screen.text, screen.rows)
    return True


@BUTTONS.on(Act.CARD)
async def refresh(turn: MemberTurn, press: Press) -> None:
    if await show_card(turn, press.number(0)):
        await turn.answer()


@BUTTONS.on(Act.TIMELINE)
async def timeline(turn: MemberTurn, press: Press) -> None:
    visible = await load_visible(turn, press.number(0))
    if visible is None:
        await turn.answer(not_found(turn), alert=True)
        return
    view = view_of(turn, visible.township)
    detail = visible.detail
    await turn.answer()
    for part in turn.svc.renderer.render_parts(
        "cases/timeline.html.j2",
        turn.lang,
        number=detail.summary.number,
        events=[view.event_line(e, detail.names, full=True) for e in detail.events],
    ):
        await turn.send(part)


@BUTTONS.on(Act.PHONES)
async def phones(turn: MemberTurn, press: Press) -> None:
    await reveal_phones(turn, press.number(0), None)


@BUTTONS.on(Act.PHONE)
async def phone(turn: MemberTurn, press: Press) -> None:
    await reveal_phones(turn, press.number(0), press.number(1))


async def reveal_phones(turn: MemberTurn, case_id: int, index: int | None) -> None:
    """The parties' full phone numbers, for a follow-up call (回访), in an alert: shown to the
    one who asked, never kept in the chat, and audited without the numbers. All at once when
    they fit in one alert; otherwise the card's buttons become one per party."""
    _ = turn._
    visible = await load_visible(turn, case_id)
    if visible is None:
        await turn.answer(not_found(turn), alert=True)
        return
    chat = turn.update.effective_chat
    if not sees_parties(turn.actor, visible.township.id) or chat is None or chat.type != "private":
        await turn.answer(_(PHONES_PRIVATE), alert=True)
        return
    numbers = [(p.name, p.phone) for p in visible.detail.parties if p.phone]
    if index is not None:
        numbers = numbers[index : index + 1]
    if not numbers:
        await turn.answer(_(NO_PHONES), alert=True)
        return
    text = "\n".join(f"{name} {number}" for name, number in numbers)
    if len(text) > ALERT_LIMIT:
        await turn.answer()
        rows = pairs(
            [
                BUTTONS.button(turn, f"📱 {name}", Act.PHONE, case_id, i)
                for i, (name, _number) in enumerate(numbers)
            ]
        )
        rows.append([BUTTONS.button(turn, _(BACK_TO_CASE), Act.CARD, case_id)])
        await turn.show(card_text(turn, visible), rows)
        return
    async with turn.svc.transaction() as session:
        await member_db.audit(
            session,
            at=turn.now,
            action="case.phones_shown",
            entity="dispute_case",
            entity_id=case_id,
            actor_member_id=turn.actor.member_id,
            township_id=visible.township.id,
            details={"numbers": len(numbers)},
        )
    await turn.answer(text, alert=True)

"""/casebrief: the open cases a township brings to the 政法联席会议 (difficult, overdue,
referred or escalated), with their mediators, never their parties."""

from __future__ import annotations

from bot.cases import facts as case_facts
from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.access import FIGURE_VIEWERS
from bot.cases.brief_pdf import print_label, send_brief_pdf
from bot.cases.buttons import BUTTONS, Act
from bot.cases.township import Purpose, opens, show_all, township_seen, view_of
from bot.cases.views import Screen, pairs
from bot.core.db.directory import TownshipInfo
from bot.core.flows import Press
from bot.core.i18n import N_
from bot.core.text import split_message
from bot.core.turn import MemberTurn

REASON_LABELS = {
    rules.BRIEF_REASON_DIFFICULT: N_("difficult"),
    rules.BRIEF_REASON_OVERDUE: N_("overdue"),
    rules.BRIEF_REASON_REFERRED: N_("referred"),
    rules.BRIEF_REASON_ESCALATED: N_("escalated"),
}
BUTTONS_SHOWN = 20


@opens(Purpose.BRIEF)
async def brief_screens(turn: MemberTurn, township: TownshipInfo, purpose: Purpose) -> list[Screen]:
    """The brief, split at Telegram's message length; the cases' buttons under the last part."""
    _ = turn._
    view = view_of(turn, township)
    async with turn.svc.transaction() as session:
        items = await case_facts.brief_items(session, township.id, view.today)
        names = await case_db.member_names(
            session, [s.state.mediator_id for s, _i in items if s.state.mediator_id]
        )
    counts = {key: sum(1 for _s, i in items if key in i.reasons) for key in REASON_LABELS}
    text = turn.svc.renderer.render(
        "cases/brief.html.j2",
        turn.lang,
        township=township.name,
        today=view.date(view.today),
        counts=counts,
        items=[
            {
                **view.line(summary),
                "tier": view.tier(summary.state.tier),
                "unit": view.unit(summary.state.referral_unit),
                "days_past": item.days_past_deadline,
                "reasons": [_(REASON_LABELS[r]) for r in item.reasons],
                "mediator": names.get(summary.state.mediator_id or 0, ""),
            }
            for summary, item in items
        ],
    )
    buttons = pairs(
        [
            BUTTONS.button(turn, view.case_button(s), Act.CARD, s.id)
            for s, _i in items[:BUTTONS_SHOWN]
        ]
    )
    buttons.append([BUTTONS.button(turn, print_label(turn), Act.BRIEF_PDF, township.id)])
    parts = split_message(text)
    return [
        Screen(part, buttons if index == len(parts) - 1 else []) for index, part in enumerate(parts)
    ]


@BUTTONS.on(Act.BRIEF)
async def brief(turn: MemberTurn, press: Press) -> None:
    township = await township_seen(turn, press.number(0), FIGURE_VIEWERS)
    if township is None:
        return
    await turn.answer()
    await show_all(turn, await brief_screens(turn, township, Purpose.BRIEF))


@BUTTONS.on(Act.BRIEF_PDF)
async def brief_for_print(turn: MemberTurn, press: Press) -> None:
    township = await township_seen(turn, press.number(0), FIGURE_VIEWERS)
    if township is None:
        return
    await turn.answer()
    await send_brief_pdf(turn, township)

"""Dispute case ledger (矛盾纠纷排查化解台账): /case, /cases, /disputes and /casebrief.

Callback data (prefix `cs`, signed, ≤ 64 bytes):
  tw:<purpose>:<township>            township picker (new, ls, d, b)
  n:<flow version>:<kind>[:<value>]  the /case new flow
  f:<flow version>:<kind>[:<value>]  the input flow of an action on a case
  c:<case> / tl:<case>               show the card / the full timeline
  a:<case>:<case version>:<action>   an action button on a card
  l:<township>:<filter>:<arg>:<page> case lists; lv:<township>:<page> village picker
  d:<township>:<period>              figures; dd:...:<figure>:<group>:<page> drill-down;
  dg:<township>:<period>:<c|v>       group picker
  b:<township>                       the brief
Every press re-checks who may see the township and the case.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.rules import Action, ActionPayload, CaseRuleError, Status, Tier
from bot.cases.views import (
    ACTION_BUTTONS,
    ACTION_BY_CODE,
    ACTION_CODES,
    FIGURES,
    SHOWN_FIGURES,
    TIER_LABELS,
    View,
    allowed_for,
    can_view,
    card_context,
    domain_actor,
    figure_of,
    money,
    party_texts,
    percent,
    rule_message,
    sees_parties,
)
from bot.core.commands import CommandSpec, register_commands
from bot.core.db import members as member_db
from bot.core.flows import flow
from bot.core.i18n import N_
from bot.core.models import Township
from bot.core.roles import Role
from bot.core.text import MESSAGE_LIMIT, clean_text, split_message, visible_length
from bot.core.turn import (
    App,
    Button,
    Context,
    FlowState,
    Handler,
    Turn,
    admitted,
    page_buttons,
    page_of,
    resumable,
)

CB = "cs"
PAGE = 8
VILLAGE_PAGE = 12
DESCRIPTION_MAX = 1000
NOTE_MAX = 500
CREATORS = (Role.MEDIATOR, Role.CADRE, Role.SECRETARY)
VIEWERS = (Role.CADRE, Role.MEDIATOR, Role.SECRETARY, Role.ADMIN)
FIGURE_VIEWERS = (Role.MEDIATOR, Role.SECRETARY, Role.ADMIN)
TIER_CODES = {"o": Tier.ORDINARY, "c": Tier.COMPLEX, "d": Tier.DIFFICULT}
PERIODS = {
    "w": ("week", "周", "本周"),
    "m": ("month", "月", "本月"),
    "y": ("year", "年", "今年", "本年"),
}
NEW_FLOW, ACT_FLOW = "case_new", "case_act"
resumable(NEW_FLOW)  # a registration half typed in survives another command

PRIVATE_CASES = N_(
    "For privacy, dispute cases are handled only in a private chat with me. "
    "Please write to me directly."
)

register_commands(
    CommandSpec(
        "case",
        N_("Register a dispute case (/case new) or open one by its number"),
        frozenset(VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
    CommandSpec("cases", N_("List dispute cases"), frozenset(VIEWERS), group_answer=PRIVATE_CASES),
    CommandSpec(
        "disputes",
        N_("Dispute figures: screened, resolved, success rate"),
        frozenset(FIGURE_VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
    CommandSpec(
        "casebrief",
        N_("Brief of difficult, overdue and referred cases for the 政法联席会议"),
        frozenset(FIGURE_VIEWERS),
        group_answer=PRIVATE_CASES,
    ),
)


# --- shared helpers ----------------------------------------------------------------------


def private_command(*roles: str) -> Callable[[Callable[[Turn], Awaitable[None]]], Handler]:
    """Like member_only, and only in a private chat: case data never goes to a group."""

    def decorate(func: Callable[[Turn], Awaitable[None]]) -> Handler:
        @wraps(func)
        async def handler(update: Update, context: Context) -> None:
            turn = await Turn.load(update, context)
            if not await admitted(turn, roles):
                return
            chat = update.effective_chat
            if chat is None or chat.type != "private":
                await turn.send(turn._(PRIVATE_CASES))
                return
            await func(turn)

        return handler

    return decorate


def stale_text(turn: Turn) -> str:
    return turn._("This button is from an old message and no longer works.")


def not_found_text(turn: Turn, number: str) -> str:
    return turn._(
        "I could not find case {number}. Please check the number; cadres can open only the "
        "cases they registered themselves."
    ).format(number=number)


def local_now(turn: Turn, township: Township) -> datetime:
    return turn.now.astimezone(turn.svc.settings.township_tz(township.code))


def make_view(turn: Turn, township: Township) -> View:
    tz = turn.svc.settings.township_tz(township.code)
    return View(
        turn._,
        turn.lang,
        tz,
        turn.now.astimezone(tz).date(),
        case_db.case_config(turn.svc.settings),
    )


def pairs(buttons: Sequence[Button], width: int = 2) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def too_long(turn: Turn, text: str, limit: int) -> str | None:
    if len(text) > limit:
        return turn._(
            "That text is {length} characters long; the limit is {max}. Please shorten it and "
            "send it again."
        ).format(length=len(text), max=limit)
    return None


def typed_text(turn: Turn) -> str | None:
    """Multi-line text of the message, or None for a photo, sticker, location..."""
    message = turn.update.effective_message
    if message is None or not message.text:
        return None
    return clean_text(message.text)


def township_ids_for(turn: Turn, roles: Sequence[str]) -> set[int] | None:
    assert turn.actor is not None
    return None if turn.actor.is_admin else turn.actor.township_ids(*roles)


async def township_for(turn: Turn, township_id: int, roles: Sequence[str]) -> Township | None:
    """The township if the actor holds one of `roles` there (admins: any)."""
    ids = township_ids_for(turn, roles)
    if ids is not None and township_id not in ids:
        return None
    async with turn.svc.transaction() as session:
        return await member_db.township_by_id(session, township_id)


async def pick_township(turn: Turn, roles: Sequence[str], purpose: str) -> Township | None:
    async with turn.svc.transaction() as session:
        townships = await member_db.townships(session, township_ids_for(turn, roles))
    if len(townships) == 1:
        return townships[0]
    _ = turn._
    if not townships:
        await turn.send(_("No township is configured yet."))
        return None
    await turn.send(
        _("Which township?"), [[(t.name, turn.cb(CB, "tw", purpose, t.id))] for t in townships]
    )
    return None


# --- /case: open by number, or start a new case -------------------------------------------


@private_command(*VIEWERS)
async def case_command(turn: Turn) -> None:
    _ = turn._
    args = turn.context.args or []
    if args and args[0].lower() in {"new", "新", "新建", "登记"}:
        if not turn.actor or not (turn.actor.roles & set(CREATORS)):
            await turn.send(
                _("Sorry, this is only for: {roles}.").format(
                    roles="、".join(turn.role_label(r) for r in CREATORS)
                )
            )
            return
        township = await pick_township(turn, CREATORS, "new")
        if township is not None:
            await start_new(turn, township)
        return
    if args:
        await open_by_number(turn, " ".join(args))
        return
    example = await example_number(turn)
    await turn.send(
        _(
            "Send /case new to register a dispute case, or /case followed by a case number "
            "(for example /case {example}) to open one. /cases lists cases."
        ).format(example=example)
    )


async def example_number(turn: Turn) -> str:
    async with turn.svc.transaction() as session:
        townships = await member_db.townships(session, township_ids_for(turn, VIEWERS))
    code = townships[0].code if townships else "SHZ"
    return rules.format_case_number(code, turn.now.year, 58)


async def open_by_number(turn: Turn, text: str) -> None:
    _ = turn._
    shown = text.strip()[:40]
    if rules.parse_case_number(text) is None:
        await turn.send(
            _(
                "“{text}” is not a case number. Case numbers look like {example}: the township "
                "code, the year and a number."
            ).format(text=shown, example=await example_number(turn))
        )
        return
    async with turn.svc.transaction() as session:
        found = await case_db.find_case_id(session, text)
    if found is None:
        await turn.send(not_found_text(turn, shown.upper()))
        return
    await show_card(turn, found[0], fresh=True, number=shown.upper())


# --- the card -----------------------------------------------------------------------------


async def load_visible(turn: Turn, case_id: int) -> tuple[case_db.CaseDetail, Township] | None:
    assert turn.actor is not None
    async with turn.svc.transaction() as session:
        detail = await case_db.case_detail(session, case_id)
        if detail is None or not can_view(turn.actor, detail.summary):
            return None
        township = await member_db.township_by_id(session, detail.summary.state.township_id)
    return (detail, township) if township is not None else None


def card_text(turn: Turn, view: View, detail: case_db.CaseDetail) -> str:
    assert turn.actor is not None
    context = card_context(
        view,
        detail,
        show_parties=sees_parties(turn.actor, detail.summary.state.township_id),
    )
    text = turn.svc.renderer.render("cases/card.html.j2", turn.lang, **context)
    if visible_length(text) > MESSAGE_LIMIT - 100:
        context["description"] = context["description"][:200] + "…"
        context["summary"] = context["summary"][:200] + ("…" if context["summary"] else "")
        context["hidden"] += max(0, len(context["events"]) - 3)
        context["events"] = context["events"][-3:]
        text = turn.svc.renderer.render("cases/card.html.j2", turn.lang, **context)
    return text


def card_buttons(turn: Turn, detail: case_db.CaseDetail) -> list[list[Button]]:
    assert turn.actor is not None
    _ = turn._
    case = detail.summary
    actions = [
        (_(ACTION_BUTTONS[a]), turn.cb(CB, "a", case.id, case.version, ACTION_CODES[a]))
        for a in allowed_for(turn.actor, case)
    ]
    rows = pairs(actions)
    if sees_parties(turn.actor, case.state.township_id) and any(p.phone for p in detail.parties):
        rows.append([(_("📱 Phone numbers"), turn.cb(CB, "ph", case.id))])
    rows.append(
        [
            (_("📜 Full timeline"), turn.cb(CB, "tl", case.id)),
            (_("🔄 Refresh"), turn.cb(CB, "c", case.id)),
        ]
    )
    return rows


ALERT_LIMIT = 200  # characters of a callback query's alert (Bot API)


async def reveal_phones(turn: Turn, case_id: int, index: int | None) -> None:
    """The parties' full phone numbers, for a follow-up call (回访), in an alert: shown to the
    one who asked, never kept in the chat, and audited without the numbers. All at once when
    they fit in one alert; otherwise the card's buttons become one per party."""
    assert turn.actor is not None
    _ = turn._
    chat = turn.update.effective_chat
    loaded = await load_visible(turn, case_id)
    if loaded is None:
        await turn.answer(not_found_text(turn, ""), True)
        return
    detail, township = loaded
    if not sees_parties(turn.actor, township.id) or chat is None or chat.type != "private":
        await turn.answer(
            _("Only mediators and the township's secretary see phone numbers, in a private chat."),
            True,
        )
        return
    phones = [(p.name, p.phone) for p in detail.parties if p.phone]
    if index is not None:
        phones = phones[index : index + 1]
    if not phones:
        await turn.answer(_("No phone number is recorded for this case's parties."), True)
        return
    text = "\n".join(f"{name} {phone}" for name, phone in phones)
    if len(text) > ALERT_LIMIT:
        await turn.answer()
        rows = pairs(
            [
                (f"📱 {name}", turn.cb(CB, "pp", case_id, i))
                for i, (name, _phone) in enumerate(phones)
            ]
        )
        rows.append([(_("◀️ Back to the case"), turn.cb(CB, "c", case_id))])
        await turn.show(card_text(turn, make_view(turn, township), detail), rows)
        return
    async with turn.svc.transaction() as session:
        await member_db.audit(
            session,
            at=turn.now,
            action="case.phones_shown",
            entity="dispute_case",
            entity_id=case_id,
            actor_member_id=turn.actor.member_id,
            township_id=township.id,
            details={"numbers": len(phones)},
        )
    await turn.answer(text, True)


async def show_card(
    turn: Turn, case_id: int, *, fresh: bool = False, notice: str = "", number: str = ""
) -> bool:
    """Show the card (edit the pressed message, or send when `fresh`). False if invisible."""
    loaded = await load_visible(turn, case_id)
    if loaded is None:
        text = not_found_text(turn, number or "")
        if turn.query is not None:
            await turn.answer(text, True)
        else:
            await turn.send(text)
        return False
    detail, township = loaded
    text = card_text(turn, make_view(turn, township), detail)
    if notice:
        text = f"{notice}\n\n{text}"
    rows = card_buttons(turn, detail)
    if fresh or turn.query is None:
        await turn.send(text, rows)
    else:
        await turn.show(text, rows)
    return True


async def send_timeline(turn: Turn, case_id: int) -> None:
    loaded = await load_visible(turn, case_id)
    if loaded is None:
        await turn.answer(not_found_text(turn, ""), True)
        return
    detail, township = loaded
    view = make_view(turn, township)
    await turn.answer()
    for part in turn.svc.renderer.render_parts(
        "cases/timeline.html.j2",
        turn.lang,
        number=detail.summary.number,
        events=[view.event_line(e, detail.names, full=True) for e in detail.events],
    ):
        await turn.send(part)


# --- actions on a case ----------------------------------------------------------------------


async def on_action_button(turn: Turn, case_id: int, version: int, code: str) -> None:
    assert turn.actor is not None
    _ = turn._
    loaded = await load_visible(turn, case_id)
    action = ACTION_BY_CODE.get(code)
    if loaded is None:
        await turn.answer(not_found_text(turn, ""), True)
        return
    detail, township = loaded
    case = detail.summary
    if action is None:
        await turn.answer(stale_text(turn), True)
        return
    if case.version != version:
        await turn.answer(
            _("This card was out of date: the case has changed since. Here is the current card."),
            True,
        )
        await show_card(turn, case_id)
        return
    view = make_view(turn, township)
    if action not in allowed_for(turn.actor, case):
        code_ = (
            "action_not_allowed"
            if rules.transition_target(case.state.status, action) is None
            else "permission_denied"
        )
        error = CaseRuleError(code_, status=case.state.status.value)
        await turn.answer(rule_message(_, error, view), True)
        return
    if action is Action.START_MEDIATION:
        await turn.answer()
        await finish_action(turn, case_id, version, action, ActionPayload(), button=True)
        return
    step = {
        Action.RESOLVE: "form",
        Action.REFER: "unit",
        Action.REASSIGN: "mediator",
        Action.RECORD_RELIEF: "relief",
    }.get(action, "note")
    data = {"case_id": case_id, "ver": version, "action": action.value, "tid": township.id}
    async with turn.svc.transaction() as session:
        flow_version = await turn.set_state(session, ACT_FLOW, step, data)
    await turn.answer()
    await prompt_action(turn, FlowState(ACT_FLOW, step, data, flow_version), case.number)


NOTE_PROMPTS = {
    Action.MARK_UNRESOLVED: N_(
        "Why could mediation not resolve {number}? Please type the reason (at most {max} "
        "characters)."
    ),
    Action.ESCALATE: N_(
        "Why does {number} need the secretary? Please type the reason (at most {max} characters)."
    ),
    Action.RECORD_FOLLOWUP: N_(
        "What did the follow-up visit (回访) for {number} find? Please type a short note (at "
        "most {max} characters). Saving it closes the case."
    ),
    Action.REOPEN: N_(
        "Why is {number} reopened? Please type the reason (at most {max} characters)."
    ),
    Action.ADD_NOTE: N_(
        "Type the note to add to the timeline of {number} (at most {max} characters)."
    ),
}


async def prompt_action(turn: Turn, state: FlowState, number: str) -> None:
    """Ask for the input the current step needs (edits the pressed message if any)."""
    _ = turn._
    v = state.version
    action = Action(state.data["action"])
    cancel: Button = (_("✖️ Cancel"), turn.cb(CB, "f", v, "x"))
    config = case_db.case_config(turn.svc.settings)
    step = state.step
    if step == "form":
        await turn.show(
            _("Agreement for {number}: how was it recorded?").format(number=number),
            [
                [
                    (_("Oral (口头)"), turn.cb(CB, "f", v, "form", "o")),
                    (_("Written (书面)"), turn.cb(CB, "f", v, "form", "w")),
                ],
                [cancel],
            ],
        )
    elif step == "summary":
        await turn.show(
            _("Please type a short summary of the agreement (at most {max} characters).").format(
                max=NOTE_MAX
            ),
            [[cancel]],
        )
    elif step == "agreed":
        await turn.show(
            _(
                "What amount was agreed (yuan)? For example 1200 or 1.2万. If no money is "
                "involved, tap the button."
            ),
            [[(_("No amount"), turn.cb(CB, "f", v, "none")), cancel]],
        )
    elif step == "paid":
        await turn.show(
            _("How much of it has been paid so far (yuan)?"),
            [[(_("Nothing paid yet"), turn.cb(CB, "f", v, "none")), cancel]],
        )
    elif step == "unit":
        units = [
            (t.label, turn.cb(CB, "f", v, "unit", i)) for i, t in enumerate(config.referral_units)
        ]
        await turn.show(
            _("Refer {number} to which unit?").format(number=number), [*pairs(units), [cancel]]
        )
    elif step == "mediator":
        async with turn.svc.transaction() as session:
            members = await member_db.members_of(session, int(state.data["tid"]))
        buttons = [
            (m.name, turn.cb(CB, "f", v, "med", m.member_id))
            for m in members
            if m.active and Role.MEDIATOR in m.roles
        ]
        await turn.show(
            _("Who should mediate {number}?").format(number=number), [*pairs(buttons), [cancel]]
        )
    elif step == "relief":
        await turn.show(
            _(
                "How much relief (信访救助) was granted for {number}? Type the amount in yuan, "
                "for example 2000."
            ).format(number=number),
            [[cancel]],
        )
    else:
        await turn.show(
            _(NOTE_PROMPTS.get(action, NOTE_PROMPTS[Action.ADD_NOTE])).format(
                number=number, max=NOTE_MAX
            ),
            [[cancel]],
        )


async def case_number_of(turn: Turn, case_id: int) -> str:
    async with turn.svc.transaction() as session:
        summary = await case_db.case_summary(session, case_id)
    return summary.number if summary else ""


async def on_act_flow_button(turn: Turn, parts: list[str]) -> None:
    _ = turn._
    state = turn.flow_state
    if state is None or state.flow != ACT_FLOW or parts[1:2] != [str(state.version)]:
        await turn.answer(stale_text(turn), True)
        return
    kind, value = parts[2] if len(parts) > 2 else "", parts[3] if len(parts) > 3 else ""
    case_id = int(state.data["case_id"])
    action = Action(state.data["action"])
    data = dict(state.data)
    if kind == "x":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.answer(_("Cancelled. Nothing was changed."))
        await show_card(turn, case_id)
        return
    if kind == "form" and state.step == "form" and value in {"o", "w"}:
        data["form"] = "oral" if value == "o" else "written"
        await advance(turn, state, "summary", data)
        return
    if kind == "none" and state.step in {"agreed", "paid"}:
        if state.step == "agreed":
            data["agreed"] = None
        data["paid"] = None
        await turn.answer()
        await finish_action(turn, case_id, int(data["ver"]), action, payload_of(data), True)
        return
    config = case_db.case_config(turn.svc.settings)
    if kind == "unit" and state.step == "unit" and value.isdigit():
        index = int(value)
        if index >= len(config.referral_units):
            await turn.answer(stale_text(turn), True)
            return
        payload = ActionPayload(referral_unit=config.referral_units[index].key)
        await turn.answer()
        await finish_action(turn, case_id, int(data["ver"]), action, payload, True)
        return
    if kind == "med" and state.step == "mediator" and value.isdigit():
        async with turn.svc.transaction() as session:
            members = await member_db.members_of(session, int(data["tid"]))
        if not any(m.member_id == int(value) and Role.MEDIATOR in m.roles for m in members):
            await turn.answer(_("That member is not a mediator of this township."), True)
            return
        await turn.answer()
        await finish_action(
            turn, case_id, int(data["ver"]), action, ActionPayload(mediator_id=int(value)), True
        )
        return
    await turn.answer(stale_text(turn), True)


async def advance(turn: Turn, state: FlowState, step: str, data: dict[str, Any]) -> None:
    async with turn.svc.transaction() as session:
        version = await turn.set_state(session, state.flow, step, data)
    await turn.answer()
    new_state = FlowState(state.flow, step, data, version)
    if state.flow == ACT_FLOW:
        await prompt_action(turn, new_state, await case_number_of(turn, int(data["case_id"])))
    else:
        await prompt_new(turn, new_state)


def payload_of(data: dict[str, Any]) -> ActionPayload:
    def amount(key: str) -> Decimal | None:
        return None if data.get(key) in (None, "") else Decimal(str(data[key]))

    return ActionPayload(
        note=data.get("note"),
        agreement_form=data.get("form"),
        summary=data.get("summary"),
        amount_agreed=amount("agreed"),
        amount_paid=amount("paid"),
        relief_amount=amount("relief"),
    )


@flow(ACT_FLOW)
async def on_act_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    text = typed_text(turn)
    step = state.step
    if step in {"form", "unit", "mediator"}:
        await turn.send(_("Please use the buttons above, or send /cancel."))
        return
    if text is None or not text:
        await turn.send(
            _("Please type it as a text message; photos, stickers and files cannot be used here.")
        )
        return
    data = dict(state.data)
    case_id, version = int(data["case_id"]), int(data["ver"])
    action = Action(data["action"])
    if step in {"agreed", "paid", "relief"}:
        try:
            amount = rules.parse_amount(text)
        except CaseRuleError as exc:
            await turn.send(rule_message(_, exc))
            return
        data[step] = str(amount)
        if step == "agreed":
            await advance(turn, state, "paid", data)
            return
        await finish_action(turn, case_id, version, action, payload_of(data), False)
        return
    problem = too_long(turn, text, NOTE_MAX)
    if problem:
        await turn.send(problem)
        return
    if step == "summary":
        data["summary"] = text
        await advance(turn, state, "agreed", data)
        return
    data["note"] = text
    await finish_action(turn, case_id, version, action, payload_of(data), False)


DONE_NOTICES = {
    Action.START_MEDIATION: N_("✅ Mediation started."),
    Action.RESOLVE: N_(
        "✅ Agreement recorded. Record the follow-up visit (回访) to close the case."
    ),
    Action.MARK_UNRESOLVED: N_("✅ Marked not resolved. Refer or escalate the case next."),
    Action.REFER: N_("✅ Referred."),
    Action.ESCALATE: N_("✅ Escalated to the secretary."),
    Action.RECORD_RELIEF: N_("✅ Relief recorded."),
    Action.RECORD_FOLLOWUP: N_("✅ Follow-up visit recorded; the case is closed."),
    Action.REOPEN: N_("✅ Case reopened with a new deadline."),
    Action.ADD_NOTE: N_("✅ Note added."),
    Action.REASSIGN: N_("✅ Mediator changed."),
}


async def finish_action(
    turn: Turn,
    case_id: int,
    version: int,
    action: Action,
    payload: ActionPayload,
    button: bool,
) -> None:
    """Apply the action; on any refusal nothing is written and the user is told why."""
    assert turn.actor is not None
    _ = turn._
    loaded = await load_visible(turn, case_id)
    if loaded is None:
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.send(not_found_text(turn, ""))
        return
    _detail, township = loaded
    view = make_view(turn, township)
    problem: str | None = None
    keep_flow = False
    try:
        async with turn.svc.transaction() as session:
            await case_db.act(
                session,
                case_id=case_id,
                action=action,
                payload=payload,
                actor=domain_actor(turn.actor, township.id),
                at=local_now(turn, township),
                config=view.config,
                expected_version=version,
            )
            await turn.clear_state(session)
    except case_db.CaseChanged:
        problem = _(
            "The case was changed by someone else in the meantime, so nothing was saved. "
            "Here is the current card."
        )
    except CaseRuleError as exc:
        problem = rule_message(_, exc, view)
        keep_flow = exc.code in {"text_too_long", "missing_note", "missing_summary"} or (
            exc.code.startswith("amount_")
        )
    if problem is not None:
        if keep_flow:
            await turn.send(problem)
            return
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await show_card(turn, case_id, fresh=not button, notice=problem)
        return
    await show_card(turn, case_id, fresh=not button, notice=_(DONE_NOTICES[action]))


# --- /case new: the guided registration ------------------------------------------------------


async def start_new(turn: Turn, township: Township) -> None:
    """A new case registration, or the unfinished one (set aside by another command, or
    from before a restart) where it was left."""
    async with turn.svc.transaction() as session:
        resumed = await turn.resume(
            session, NEW_FLOW, lambda draft: draft.data.get("tid") == township.id
        )
        if resumed is None:
            version = await turn.set_state(
                session, NEW_FLOW, "village", {"tid": township.id, "parties": [], "vpage": 0}
            )
    if resumed is not None:
        await turn.send(turn._("You have an unfinished case registration; here it is."))
        await prompt_new(turn, resumed)
        return
    await prompt_new(turn, FlowState(NEW_FLOW, "village", {"tid": township.id}, version))


async def prompt_new(turn: Turn, state: FlowState) -> None:
    _ = turn._
    v = state.version
    cancel: Button = (_("✖️ Cancel"), turn.cb(CB, "n", v, "x"))
    config = case_db.case_config(turn.svc.settings)
    step = state.step
    data = state.data
    if step == "village":
        async with turn.svc.transaction() as session:
            villages = await member_db.villages_of(session, int(data["tid"]))
        shown, page, pages = page_of(villages, int(data.get("vpage", 0)), VILLAGE_PAGE)
        rows = pairs([(x.name, turn.cb(CB, "n", v, "v", x.id)) for x in shown])
        rows.append(page_buttons(turn, page, pages, CB, "n", v, "vp"))
        rows.append([cancel])
        await turn.show(_("New dispute case. Which village is it in?"), rows)
    elif step == "category":
        buttons = [(t.label, turn.cb(CB, "n", v, "c", i)) for i, t in enumerate(config.categories)]
        await turn.show(_("What kind of dispute is it?"), [*pairs(buttons, 3), [cancel]])
    elif step == "source":
        buttons = [(t.label, turn.cb(CB, "n", v, "s", i)) for i, t in enumerate(config.sources)]
        await turn.show(_("Where did the case come from?"), [*pairs(buttons), [cancel]])
    elif step == "parties":
        parties = data.get("parties") or []
        if parties:
            text = _(
                "Parties so far: {parties}. Type another party, or tap “Done” when all are added."
            ).format(parties="、".join(party_texts([_PartyView(*p) for p in parties])))
        else:
            text = _(
                "Who are the parties? Type one per line: the name, optionally followed by a "
                "phone number, for example:\n张三 13812345678\n李四\n"
                "Phone numbers are stored but always shown masked."
            )
        rows = [[(_("✔️ Done"), turn.cb(CB, "n", v, "pd")), cancel]] if parties else [[cancel]]
        await turn.show(text, rows)
    elif step == "description":
        await turn.show(
            _("Briefly describe the dispute (at most {max} characters).").format(
                max=DESCRIPTION_MAX
            ),
            [[cancel]],
        )
    elif step == "people":
        await turn.show(
            _("How many people are involved? Type a number, for example 3."), [[cancel]]
        )
    elif step == "amount":
        await turn.show(
            _(
                "What amount of money is involved (yuan)? For example 5000 or 1.2万. If none, "
                "tap the button."
            ),
            [[(_("No money involved"), turn.cb(CB, "n", v, "na")), cancel]],
        )
    elif step == "tier":
        days = turn.svc.settings.cases.tier_days
        counts = {"o": days.ordinary, "c": days.complex, "d": days.difficult}
        await turn.show(
            _("How difficult is it? This sets the deadline."),
            [
                [
                    (
                        _("{tier}: {days} days").format(
                            tier=_(TIER_LABELS[TIER_CODES[code]]), days=counts[code]
                        ),
                        turn.cb(CB, "n", v, "t", code),
                    )
                ]
                for code in TIER_CODES
            ]
            + [[cancel]],
        )
    elif step == "confirm":
        await show_confirm(turn, state)


class _PartyView:
    def __init__(self, name: str, phone: str | None = None) -> None:
        self.name, self.phone = name, phone


async def show_confirm(turn: Turn, state: FlowState) -> None:
    _ = turn._
    data = state.data
    config = case_db.case_config(turn.svc.settings)
    async with turn.svc.transaction() as session:
        township = await member_db.township_by_id(session, int(data["tid"]))
        villages = {x.id: x.name for x in await member_db.villages_of(session, int(data["tid"]))}
    assert township is not None
    view = make_view(turn, township)
    tier = Tier(data["tier"])
    text = turn.svc.renderer.render(
        "cases/confirm.html.j2",
        turn.lang,
        township=township.name,
        village=villages.get(int(data["village"]), "?"),
        category=view.category(data["category"]),
        source=view.source(data["source"]),
        parties=party_texts([_PartyView(*p) for p in data["parties"]]),
        description=data["description"],
        people=data["people"],
        amount=money(Decimal(data["amount"])) if data.get("amount") else "",
        tier=view.tier(tier),
        deadline=view.date(rules.deadline_for(tier, view.today, config.tier_days)),
    )
    v = state.version
    await turn.show(
        text,
        [
            [
                (_("✅ Save"), turn.cb(CB, "n", v, "ok")),
                (_("🗑 Discard"), turn.cb(CB, "n", v, "x")),
            ]
        ],
    )


async def on_new_flow_button(turn: Turn, parts: list[str]) -> None:
    _ = turn._
    state = turn.flow_state
    if state is None or state.flow != NEW_FLOW or parts[1:2] != [str(state.version)]:
        await turn.answer(stale_text(turn), True)
        return
    kind, value = parts[2] if len(parts) > 2 else "", parts[3] if len(parts) > 3 else ""
    data = dict(state.data)
    config = case_db.case_config(turn.svc.settings)
    step = state.step
    if kind == "x":
        async with turn.svc.transaction() as session:
            await turn.clear_state(session)
        await turn.answer()
        await turn.show(_("Cancelled. The case was not registered."))
        return
    if step == "village" and kind == "vp" and value.isdigit():
        data["vpage"] = int(value)
        await advance(turn, state, "village", data)
    elif step == "village" and kind == "v" and value.isdigit():
        async with turn.svc.transaction() as session:
            villages = {x.id for x in await member_db.villages_of(session, int(data["tid"]))}
        if int(value) not in villages:
            await turn.answer(_("That village is not in this township."), True)
            return
        data["village"] = int(value)
        await advance(turn, state, "category", data)
    elif step == "category" and kind == "c" and value.isdigit():
        if int(value) >= len(config.categories):
            await turn.answer(stale_text(turn), True)
            return
        data["category"] = config.categories[int(value)].key
        await advance(turn, state, "source", data)
    elif step == "source" and kind == "s" and value.isdigit():
        if int(value) >= len(config.sources):
            await turn.answer(stale_text(turn), True)
            return
        data["source"] = config.sources[int(value)].key
        await advance(turn, state, "parties", data)
    elif step == "parties" and kind == "pd":
        if not data.get("parties"):
            await turn.answer(_("Please add at least one party first."), True)
            return
        await advance(turn, state, "description", data)
    elif step == "amount" and kind == "na":
        data["amount"] = None
        await advance(turn, state, "tier", data)
    elif step == "tier" and kind == "t" and value in TIER_CODES:
        data["tier"] = TIER_CODES[value].value
        await advance(turn, state, "confirm", data)
    elif step == "confirm" and kind == "ok":
        await save_new(turn, state)
    else:
        await turn.answer(stale_text(turn), True)


async def save_new(turn: Turn, state: FlowState) -> None:
    assert turn.actor is not None
    _ = turn._
    data = state.data
    township = await township_for(turn, int(data["tid"]), CREATORS)
    if township is None:
        await turn.answer(_("You can no longer register cases in this township."), True)
        return
    view = make_view(turn, township)
    try:
        async with turn.svc.transaction() as session:
            case = await case_db.create_case(
                session,
                township=township,
                data=case_db.NewCase(
                    village_id=int(data["village"]),
                    category=str(data["category"]),
                    source=str(data["source"]),
                    tier=Tier(data["tier"]),
                    description=str(data["description"]),
                    people_count=int(data["people"]),
                    amount=Decimal(data["amount"]) if data.get("amount") else None,
                    parties=[case_db.PartyInput(p[0], p[1]) for p in data["parties"]],
                ),
                actor=domain_actor(turn.actor, township.id),
                at=local_now(turn, township),
                config=view.config,
            )
            if data.get("visit"):  # opened from a visit log's 矛盾化解: link them
                await case_db.link_own_visit(
                    session,
                    int(data["visit"]),
                    case.id,
                    member_id=turn.actor.member_id,
                    now=turn.now,
                )
            await turn.clear_state(session)
    except CaseRuleError as exc:
        await turn.answer(rule_message(_, exc, view), True)
        return
    await turn.answer(_("Saved"))
    await show_card(
        turn,
        case.id,
        notice=_("✅ Case {number} registered. Deadline: {deadline}.").format(
            number=case.number, deadline=view.date(case.state.deadline)
        ),
    )


PHONE_TAIL = re.compile(r"^(?P<name>.+?)[\s,，:：]+(?P<phone>[+＋0-9０-９()（）\- ]{5,})$")


def parse_party(line: str) -> tuple[str, str | None] | str:
    """'张三 138 1234 5678' -> ('张三', '13812345678'); an error code string when invalid."""
    line = line.strip()
    match = PHONE_TAIL.match(line)
    name, phone = (match["name"].strip(), match["phone"]) if match else (line, None)
    if phone is not None:
        normalized = rules.normalize_phone(phone)
        if normalized is None:
            return "phone"
        phone = normalized
    if not name or any(ch.isdigit() for ch in name):
        return "name"
    if len(name) > case_db.PARTY_NAME_MAX:
        return "long"
    return name, phone


@flow(NEW_FLOW)
async def on_new_message(turn: Turn, state: FlowState) -> None:
    _ = turn._
    step = state.step
    if step in {"village", "category", "source", "tier", "confirm"}:
        await turn.send(_("Please use the buttons above, or send /cancel."))
        return
    text = typed_text(turn)
    if not text:
        await turn.send(
            _("Please type it as a text message; photos, stickers and files cannot be used here.")
        )
        return
    data = dict(state.data)
    if step == "parties":
        lines = [line for line in text.splitlines() if line.strip()]
        parsed = [parse_party(line) for line in lines]
        for line, result in zip(lines, parsed, strict=True):
            if isinstance(result, str):
                await turn.send(party_problem(turn, result, line))
                return
        parties = list(data.get("parties") or []) + [list(p) for p in parsed]
        if len(parties) > case_db.MAX_PARTIES:
            await turn.send(
                _("A case can list at most {max} parties. Nothing was added.").format(
                    max=case_db.MAX_PARTIES
                )
            )
            return
        data["parties"] = parties
        await advance(turn, state, "parties", data)
        return
    if step == "description":
        problem = too_long(turn, text, DESCRIPTION_MAX)
        if problem:
            await turn.send(problem)
            return
        data["description"] = text
        await advance(turn, state, "people", data)
        return
    try:
        if step == "people":
            data["people"] = rules.parse_people_count(text)
            await advance(turn, state, "amount", data)
        elif step == "amount":
            data["amount"] = str(rules.parse_amount(text))
            await advance(turn, state, "tier", data)
    except CaseRuleError as exc:
        await turn.send(rule_message(_, exc))


def party_problem(turn: Turn, code: str, line: str) -> str:
    _ = turn._
    if code == "phone":
        return _(
            "The phone number in “{line}” does not look right. Type a mobile number (11 digits) "
            "or a landline with its area code, or just the name. Nothing was added."
        ).format(line=line[:40])
    if code == "long":
        return _("A name can be at most {max} characters. Nothing was added.").format(
            max=case_db.PARTY_NAME_MAX
        )
    return _(
        "Please start each line with the party's name, for example: 张三 13812345678. "
        "Nothing was added."
    )


# --- /cases ------------------------------------------------------------------------------------

LIST_TITLES = {
    "m": N_("My cases"),
    "o": N_("Cases not yet closed"),
    "d": N_("Overdue cases"),
    "v": N_("Cases in {village}"),
}


@private_command(*VIEWERS)
async def cases_command(turn: Turn) -> None:
    township = await pick_township(turn, VIEWERS, "ls")
    if township is not None:
        assert turn.actor is not None
        default = "o" if sees_parties(turn.actor, township.id) else "m"
        await show_list(turn, township, default, 0, 0)


async def show_list(turn: Turn, township: Township, kind: str, arg: int, page: int) -> None:
    assert turn.actor is not None
    _ = turn._
    view = make_view(turn, township)
    privileged = sees_parties(turn.actor, township.id)
    me = turn.actor.member_id
    village_name = ""
    async with turn.svc.transaction() as session:
        opened_by = None if privileged else me
        if kind == "m":
            cases = await case_db.case_summaries(
                session, township.id, involving=me, opened_by=opened_by
            )
        elif kind == "v":
            cases = await case_db.case_summaries(
                session, township.id, village_id=arg, opened_by=opened_by
            )
            villages = {x.id: x.name for x in await member_db.villages_of(session, township.id)}
            village_name = villages.get(arg, "")
        else:
            cases = await case_db.case_summaries(session, township.id, opened_by=opened_by)
    if kind == "o":
        cases = [c for c in cases if c.state.status is not Status.CLOSED]
    elif kind == "d":
        cases = [c for c in cases if rules.is_overdue(c.state, view.today)]
    cases.sort(key=lambda c: list_order(c, view.today))
    shown, page, pages = page_of(cases, page, PAGE)
    text = turn.svc.renderer.render(
        "cases/list.html.j2",
        turn.lang,
        title=_(LIST_TITLES[kind]).format(village=village_name),
        township=township.name,
        total=len(cases),
        cases=[view.line(c) for c in shown],
        offset=page * PAGE,
        page=page + 1,
        pages=pages,
    )
    rows = pairs([(view.case_button(c), turn.cb(CB, "c", c.id)) for c in shown])
    rows.append(page_buttons(turn, page, pages, CB, "l", township.id, kind, arg))
    rows.append(
        [
            (_("👤 Mine"), turn.cb(CB, "l", township.id, "m", 0, 0)),
            (_("📂 Open"), turn.cb(CB, "l", township.id, "o", 0, 0)),
            (_("⚠️ Overdue"), turn.cb(CB, "l", township.id, "d", 0, 0)),
            (_("🏘 By village"), turn.cb(CB, "lv", township.id, 0)),
        ]
    )
    await turn.show(text, rows)


def list_order(case: case_db.CaseSummary, today: date) -> tuple[int, int, str]:
    """Open cases first, most urgent deadline first; then the rest, newest first."""
    s = case.state
    if s.status is Status.CLOSED:
        return (1, -s.registered_on.toordinal(), s.number)
    return (0, s.deadline.toordinal(), s.number)


async def show_village_picker(turn: Turn, township: Township, page: int) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        villages = await member_db.villages_of(session, township.id)
    shown, page, pages = page_of(villages, page, VILLAGE_PAGE)
    rows = pairs([(x.name, turn.cb(CB, "l", township.id, "v", x.id, 0)) for x in shown])
    rows.append(page_buttons(turn, page, pages, CB, "lv", township.id))
    rows.append([(_("◀️ Back to the list"), turn.cb(CB, "l", township.id, "o", 0, 0))])
    await turn.show(_("Cases of which village?"), rows)


# --- /disputes --------------------------------------------------------------------------------


def period_code(arg: str | None) -> str | None:
    if not arg:
        return "y"
    arg = arg.strip().lower()
    return next((code for code, names in PERIODS.items() if arg in names), None)


def period_bounds(code: str, today: date) -> tuple[date, date]:
    if code == "w":
        return today - timedelta(days=today.weekday()), today
    if code == "m":
        return today.replace(day=1), today
    return today.replace(month=1, day=1), today


@private_command(*FIGURE_VIEWERS)
async def disputes_command(turn: Turn) -> None:
    _ = turn._
    args = turn.context.args or []
    code = period_code(args[0] if args else None)
    if code is None:
        await turn.send(
            _(
                "Please choose the period: week, month or year, for example /disputes month. "
                "Without one, you get this year so far."
            )
        )
        return
    township = await pick_township(turn, FIGURE_VIEWERS, "d" + code)
    if township is not None:
        await show_stats(turn, township, code)


async def load_stats(
    turn: Turn, township: Township, code: str
) -> tuple[View, rules.DisputeStats, int | None]:
    view = make_view(turn, township)
    start, end = period_bounds(code, view.today)
    async with turn.svc.transaction() as session:
        stats = await case_db.dispute_figures(session, township.id, start, end, view.today)
        screened = await case_db.screenings_count(session, township.id, start, end)
    return view, stats, screened


async def show_stats(turn: Turn, township: Township, code: str) -> None:
    _ = turn._
    view, stats, screened = await load_stats(turn, township, code)
    codes = (["sc"] if screened is not None else []) + ["fs", *SHOWN_FIGURES]
    figures = []
    buttons: list[Button] = []
    for fig in codes:
        _key, label, definition = FIGURES[fig]
        if fig == "sc":
            value = str(screened)
        elif fig == "sr":
            rate = stats.success_rate
            value = f"{percent(rate)} ({rate.numerator.count}/{rate.denominator.count})"
        else:
            value = str(figure_of(stats, fig).count)
        figures.append({"label": _(label), "value": value, "definition": _(definition)})
        if fig != "sc":
            target = "dc" if fig == "sr" else fig
            buttons.append(
                (
                    f"🔎 {_(label)} {value.split(' ')[0]}",
                    turn.cb(CB, "dd", township.id, code, target, "-", 0),
                )
            )
    breakdowns = [
        (_("By category"), group_lines(view, stats.by_category, view.category)),
        (_("By village"), group_lines(view, stats.by_village, lambda name: name)),
    ]
    text = turn.svc.renderer.render(
        "cases/disputes.html.j2",
        turn.lang,
        township=township.name,
        start=view.date(stats.period_start),
        end=view.date(stats.period_end),
        figures=figures,
        breakdowns=breakdowns,
    )
    rows = pairs(buttons)
    rows.append(
        [
            (_("📂 By category"), turn.cb(CB, "dg", township.id, code, "c")),
            (_("🏘 By village"), turn.cb(CB, "dg", township.id, code, "v")),
        ]
    )
    rows.append(
        [
            (("• " if c == code else "") + _(label), turn.cb(CB, "d", township.id, c))
            for c, label in (
                ("w", N_("This week")),
                ("m", N_("This month")),
                ("y", N_("This year")),
            )
        ]
    )
    await turn.show(text, rows)


def group_lines(view: View, groups: Any, name_of: Callable[[str], str]) -> list[dict[str, Any]]:
    return [
        {
            "name": name_of(key),
            "registered": g.registered.count,
            "resolved": g.resolved.count,
            "overdue": g.overdue.count,
            "rate": percent(g.success_rate),
        }
        for key, g in groups.items()
    ]


async def show_groups(turn: Turn, township: Township, code: str, kind: str) -> None:
    _ = turn._
    view, stats, _screened = await load_stats(turn, township, code)
    buttons: list[Button] = []
    if kind == "c":
        index = {t.key: i for i, t in enumerate(view.config.categories)}
        for key, g in stats.by_category.items():
            if key in index:
                buttons.append(
                    (
                        f"{view.category(key)} ({g.registered.count})",
                        turn.cb(CB, "dd", township.id, code, "rg", f"c{index[key]}", 0),
                    )
                )
    else:
        async with turn.svc.transaction() as session:
            ids = {x.name: x.id for x in await member_db.villages_of(session, township.id)}
        for name, g in stats.by_village.items():
            if name in ids:
                buttons.append(
                    (
                        f"{name} ({g.registered.count})",
                        turn.cb(CB, "dd", township.id, code, "rg", f"v{ids[name]}", 0),
                    )
                )
    rows = pairs(buttons)
    rows.append([(_("◀️ Back to the figures"), turn.cb(CB, "d", township.id, code))])
    title = _("Cases by category") if kind == "c" else _("Cases by village")
    if not buttons:
        title += "\n" + _("No cases registered in this period.")
    await turn.show(title, rows)


def empty_group(stats: rules.DisputeStats) -> rules.GroupStats:
    return rules.dispute_stats([], stats.period_start, stats.period_end, stats.today).totals


async def show_drill(
    turn: Turn, township: Township, code: str, fig: str, group: str, page: int
) -> None:
    _ = turn._
    view, stats, _screened = await load_stats(turn, township, code)
    source: rules.DisputeStats | rules.GroupStats = stats
    group_name = ""
    if (
        group.startswith("c")
        and group[1:].isdigit()
        and int(group[1:]) < len(view.config.categories)
    ):
        key = view.config.categories[int(group[1:])].key
        group_name = view.category(key)
        source = stats.by_category.get(key) or empty_group(stats)
    elif group.startswith("v") and group[1:].isdigit():
        async with turn.svc.transaction() as session:
            names = {x.id: x.name for x in await member_db.villages_of(session, township.id)}
        group_name = names.get(int(group[1:]), "")
        source = stats.by_village.get(group_name) or empty_group(stats)
    figure = figure_of(source, fig)
    async with turn.svc.transaction() as session:
        cases = await case_db.case_summaries(session, township.id, numbers=figure.case_numbers)
    order = {n: i for i, n in enumerate(figure.case_numbers)}
    cases.sort(key=lambda c: order.get(c.number, 0))
    shown, page, pages = page_of(cases, page, PAGE)
    _key, label, definition = FIGURES[fig]
    text = turn.svc.renderer.render(
        "cases/drill.html.j2",
        turn.lang,
        label=_(label),
        group=group_name,
        total=figure.count,
        definition=_(definition),
        start=view.date(stats.period_start),
        end=view.date(stats.period_end),
        cases=[view.line(c) for c in shown],
        offset=page * PAGE,
        page=page + 1,
        pages=pages,
    )
    rows = pairs([(view.case_button(c), turn.cb(CB, "c", c.id)) for c in shown])
    rows.append(page_buttons(turn, page, pages, CB, "dd", township.id, code, fig, group))
    rows.append([(_("◀️ Back to the figures"), turn.cb(CB, "d", township.id, code))])
    await turn.show(text, rows)


# --- /casebrief -------------------------------------------------------------------------------

REASON_LABELS = {
    rules.BRIEF_REASON_DIFFICULT: N_("difficult"),
    rules.BRIEF_REASON_OVERDUE: N_("overdue"),
    rules.BRIEF_REASON_REFERRED: N_("referred"),
    rules.BRIEF_REASON_ESCALATED: N_("escalated"),
}


@private_command(*FIGURE_VIEWERS)
async def brief_command(turn: Turn) -> None:
    township = await pick_township(turn, FIGURE_VIEWERS, "b")
    if township is not None:
        await show_brief(turn, township)


async def show_brief(turn: Turn, township: Township) -> None:
    _ = turn._
    view = make_view(turn, township)
    async with turn.svc.transaction() as session:
        items = await case_db.brief_items(session, township.id, view.today)
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
    buttons = pairs([(view.case_button(s), turn.cb(CB, "c", s.id)) for s, _i in items[:20]])
    parts = split_message(text)
    for index, part in enumerate(parts):
        rows = buttons if index == len(parts) - 1 else []
        if index == 0:
            await turn.show(part, rows)
        else:
            await turn.send(part, rows)


# --- button dispatch -----------------------------------------------------------------------------


def as_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


async def on_button(update: Update, context: Context) -> None:
    turn = await Turn.load(update, context)
    if not await admitted(turn):
        return
    assert turn.actor is not None
    _ = turn._
    parts = turn.callback_parts()
    if not parts:
        await turn.answer(stale_text(turn), True)
        return
    op, args = parts[0], parts[1:]
    try:
        if op == "n":
            await on_new_flow_button(turn, parts)
        elif op == "f":
            await on_act_flow_button(turn, parts)
        elif op == "c" and len(args) == 1 and as_int(args[0]) is not None:
            if await show_card(turn, int(args[0])):
                await turn.answer()
        elif op == "tl" and len(args) == 1 and as_int(args[0]) is not None:
            await send_timeline(turn, int(args[0]))
        elif op == "ph" and len(args) == 1 and as_int(args[0]) is not None:
            await reveal_phones(turn, int(args[0]), None)
        elif op == "pp" and len(args) == 2 and as_int(args[0]) is not None:
            await reveal_phones(turn, int(args[0]), int(args[1]))
        elif op == "a" and len(args) == 3 and as_int(args[0]) and as_int(args[1]):
            await on_action_button(turn, int(args[0]), int(args[1]), args[2])
        elif op in {"tw", "l", "lv", "d", "dd", "dg", "b"}:
            await on_township_button(turn, op, args)
        else:
            await turn.answer(stale_text(turn), True)
    except (ValueError, IndexError, KeyError):
        await turn.answer(stale_text(turn), True)


async def on_township_button(turn: Turn, op: str, args: list[str]) -> None:
    _ = turn._
    if op == "tw":
        purpose, township_id = args[0], int(args[1])
    else:
        purpose, township_id = op, int(args[0])
    roles = {
        "new": CREATORS,
        "ls": VIEWERS,
        "l": VIEWERS,
        "lv": VIEWERS,
    }.get(purpose, FIGURE_VIEWERS)
    township = await township_for(turn, township_id, roles)
    if township is None:
        await turn.answer(_("You can only see your own township's cases."), True)
        return
    if op == "dd" and (args[2] not in FIGURES or args[2] == "sc"):
        await turn.answer(stale_text(turn), True)
        return
    await turn.answer()
    if op == "tw":
        if purpose == "new":
            await start_new(turn, township)
        elif purpose == "ls":
            assert turn.actor is not None
            await show_list(
                turn, township, "o" if sees_parties(turn.actor, township.id) else "m", 0, 0
            )
        elif purpose.startswith("d") and purpose[1:] in PERIODS:
            await show_stats(turn, township, purpose[1:])
        elif purpose == "b":
            await show_brief(turn, township)
    elif op == "l" and args[1] in LIST_TITLES:
        await show_list(turn, township, args[1], int(args[2]), int(args[3]))
    elif op == "lv":
        await show_village_picker(turn, township, int(args[1]))
    elif op == "d" and args[1] in PERIODS:
        await show_stats(turn, township, args[1])
    elif op == "dg" and args[1] in PERIODS and args[2] in {"c", "v"}:
        await show_groups(turn, township, args[1], args[2])
    elif op == "dd" and args[1] in PERIODS:
        await show_drill(turn, township, args[1], args[2], args[3], int(args[4]))
    elif op == "b":
        await show_brief(turn, township)


def register(app: App) -> None:
    app.add_handler(CommandHandler("case", case_command))
    app.add_handler(CommandHandler("cases", cases_command))
    app.add_handler(CommandHandler("disputes", disputes_command))
    app.add_handler(CommandHandler("casebrief", brief_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{CB}:"))

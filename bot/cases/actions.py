"""Workflow actions on a case, from the card's buttons: those that need input (an agreement,
a referral unit, a mediator, an amount of relief, a reason or a note) are a short
conversation, `case_act`; the others apply at once. Whatever the rules refuse changes
nothing and is told as what it is."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.access import allowed_for, domain_actor
from bot.cases.buttons import ACTION_BY_CODE, BUTTONS, Act, nth
from bot.cases.card import load_visible, not_found, show_card
from bot.cases.rules import Action, ActionPayload, AgreementForm, CaseRuleError
from bot.cases.township import local_now, view_of
from bot.cases.views import (
    AS_TEXT,
    CANCEL,
    CHANGED_MEANWHILE,
    DONE_NOTICES,
    NOTE_MAX,
    NOTE_PROMPTS,
    OUT_OF_DATE,
    TOO_LONG,
    USE_BUTTONS,
    Screen,
    pairs,
    rule_message,
)
from bot.core.db import members as member_db
from bot.core.db.directory import TownshipInfo
from bot.core.flows import STALE, Flow, FlowTurn, Press
from bot.core.roles import Role
from bot.core.text import Html, clean_text
from bot.core.turn import Button, MemberTurn


class Step(enum.StrEnum):
    FORM = "form"
    SUMMARY = "summary"
    AGREED = "agreed"
    PAID = "paid"
    UNIT = "unit"
    MEDIATOR = "mediator"
    RELIEF = "relief"
    NOTE = "note"


class Do(enum.StrEnum):
    FORM = "form"
    NONE = "none"
    UNIT = "unit"
    MEDIATOR = "med"
    CANCEL = "x"


class ActionDraft(BaseModel):
    case_id: int
    case_version: int
    action: Action
    township_id: int
    number: str
    agreement_form: AgreementForm | None = None
    summary: str | None = None
    amount_agreed: Decimal | None = None


ACTING: Flow[ActionDraft, Step] = Flow("case_act", "csf", ActionDraft, Step)
Ctx = FlowTurn[ActionDraft, Step]

FIRST_STEP = {
    Action.RESOLVE: Step.FORM,
    Action.REFER: Step.UNIT,
    Action.REASSIGN: Step.MEDIATOR,
    Action.RECORD_RELIEF: Step.RELIEF,
}
FORMS = {"o": AgreementForm.ORAL, "w": AgreementForm.WRITTEN}
# Rule errors about what was typed: the member types it again, the conversation goes on.
RETYPE = frozenset({"text_too_long", "missing_note", "missing_summary"})


@BUTTONS.on(Act.ACTION)
async def pressed(turn: MemberTurn, press: Press) -> None:
    """An action button on a card: applied at once, or its conversation begins."""
    case_id, version = press.number(0), press.number(1)
    action = ACTION_BY_CODE[press.choice(2, list(ACTION_BY_CODE))]
    visible = await load_visible(turn, case_id)
    if visible is None:
        await turn.answer(not_found(turn), alert=True)
        return
    case = visible.case
    if case.version != version:
        await turn.answer(turn._(OUT_OF_DATE), alert=True)
        await show_card(turn, case_id)
        return
    if action not in allowed_for(turn.actor, case):
        forbidden = rules.transition_target(case.state.status, action) is not None
        error = CaseRuleError(
            "permission_denied" if forbidden else "action_not_allowed",
            status=case.state.status.value,
        )
        await turn.answer(rule_message(turn._, error, view_of(turn, visible.township)), alert=True)
        return
    if action is Action.START_MEDIATION:
        await turn.answer()
        await finish(turn, None, visible.township, case_id, version, action, ActionPayload())
        return
    draft = ActionDraft(
        case_id=case_id,
        case_version=version,
        action=action,
        township_id=visible.township.id,
        number=case.number,
    )
    async with turn.svc.transaction() as session:
        ctx = await ACTING.start(turn, session, FIRST_STEP.get(action, Step.NOTE), draft)
    await turn.answer()
    await ask(ctx)


# --- what each step asks ----------------------------------------------------------------


def cancel_button(ctx: Ctx) -> Button:
    return ctx.button(ctx._(CANCEL), Do.CANCEL)


async def ask_form(ctx: Ctx) -> Screen:
    _ = ctx._
    return Screen(
        _("Agreement for {number}: how was it recorded?").format(number=ctx.draft.number),
        [
            [
                ctx.button(_("Oral (口头)"), Do.FORM, "o"),
                ctx.button(_("Written (书面)"), Do.FORM, "w"),
            ],
            [cancel_button(ctx)],
        ],
    )


async def ask_summary(ctx: Ctx) -> Screen:
    return Screen(
        ctx._("Please type a short summary of the agreement (at most {max} characters).").format(
            max=NOTE_MAX
        ),
        [[cancel_button(ctx)]],
    )


async def ask_agreed(ctx: Ctx) -> Screen:
    _ = ctx._
    return Screen(
        _(
            "What amount was agreed (yuan)? For example 1200 or 1.2万. If no money is "
            "involved, tap the button."
        ),
        [[ctx.button(_("No amount"), Do.NONE), cancel_button(ctx)]],
    )


async def ask_paid(ctx: Ctx) -> Screen:
    _ = ctx._
    return Screen(
        _("How much of it has been paid so far (yuan)?"),
        [[ctx.button(_("Nothing paid yet"), Do.NONE), cancel_button(ctx)]],
    )


async def ask_unit(ctx: Ctx) -> Screen:
    units = case_db.case_config(ctx.turn.svc.settings).referral_units
    buttons = [ctx.button(t.label, Do.UNIT, i) for i, t in enumerate(units)]
    return Screen(
        ctx._("Refer {number} to which unit?").format(number=ctx.draft.number),
        [*pairs(buttons), [cancel_button(ctx)]],
    )


async def mediators_of(turn: MemberTurn, township_id: int) -> list[member_db.MemberRow]:
    async with turn.svc.transaction() as session:
        members = await member_db.members_of(session, township_id)
    return [m for m in members if m.active and Role.MEDIATOR in m.roles]


async def ask_mediator(ctx: Ctx) -> Screen:
    mediators = await mediators_of(ctx.turn, ctx.draft.township_id)
    buttons = [ctx.button(m.name, Do.MEDIATOR, m.member_id) for m in mediators]
    return Screen(
        ctx._("Who should mediate {number}?").format(number=ctx.draft.number),
        [*pairs(buttons), [cancel_button(ctx)]],
    )


async def ask_relief(ctx: Ctx) -> Screen:
    return Screen(
        ctx._(
            "How much relief (信访救助) was granted for {number}? Type the amount in yuan, "
            "for example 2000."
        ).format(number=ctx.draft.number),
        [[cancel_button(ctx)]],
    )


async def ask_note(ctx: Ctx) -> Screen:
    prompt = NOTE_PROMPTS.get(ctx.draft.action, NOTE_PROMPTS[Action.ADD_NOTE])
    return Screen(
        ctx._(prompt).format(number=ctx.draft.number, max=NOTE_MAX), [[cancel_button(ctx)]]
    )


PROMPTS: dict[Step, Callable[[Ctx], Awaitable[Screen]]] = {
    Step.FORM: ask_form,
    Step.SUMMARY: ask_summary,
    Step.AGREED: ask_agreed,
    Step.PAID: ask_paid,
    Step.UNIT: ask_unit,
    Step.MEDIATOR: ask_mediator,
    Step.RELIEF: ask_relief,
    Step.NOTE: ask_note,
}


async def ask(ctx: Ctx) -> None:
    screen = await PROMPTS[ctx.step](ctx)
    await ctx.turn.show(screen.text, screen.rows)


async def advance(ctx: Ctx, step: Step) -> None:
    async with ctx.turn.svc.transaction() as session:
        await ctx.save(session, step)
    await ctx.turn.answer()
    await ask(ctx)


# --- buttons --------------------------------------------------------------------------


@ACTING.on(None, Do.CANCEL)
async def cancel(ctx: Ctx, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        await ctx.end(session)
    await ctx.turn.answer(ctx._("Cancelled. Nothing was changed."))
    await show_card(ctx.turn, ctx.draft.case_id)


@ACTING.on(Step.FORM, Do.FORM)
async def pick_form(ctx: Ctx, press: Press) -> None:
    ctx.draft.agreement_form = FORMS[press.choice(0, list(FORMS))]
    await advance(ctx, Step.SUMMARY)


@ACTING.on(Step.AGREED, Do.NONE)
async def no_amount(ctx: Ctx, press: Press) -> None:
    await ctx.turn.answer()
    await finish_with(ctx, agreement(ctx.draft))


@ACTING.on(Step.PAID, Do.NONE)
async def nothing_paid(ctx: Ctx, press: Press) -> None:
    await ctx.turn.answer()
    await finish_with(ctx, agreement(ctx.draft))


@ACTING.on(Step.UNIT, Do.UNIT)
async def pick_unit(ctx: Ctx, press: Press) -> None:
    unit = nth(press, 0, case_db.case_config(ctx.turn.svc.settings).referral_units)
    await ctx.turn.answer()
    await finish_with(ctx, ActionPayload(referral_unit=unit.key))


@ACTING.on(Step.MEDIATOR, Do.MEDIATOR)
async def pick_mediator(ctx: Ctx, press: Press) -> None:
    member_id = press.number(0)
    if member_id not in {m.member_id for m in await mediators_of(ctx.turn, ctx.draft.township_id)}:
        await ctx.turn.answer(ctx._("That member is not a mediator of this township."), alert=True)
        return
    await ctx.turn.answer()
    await finish_with(ctx, ActionPayload(mediator_id=member_id))


# --- what is typed --------------------------------------------------------------------


@ACTING.on_message(Step.FORM, Step.UNIT, Step.MEDIATOR)
async def buttons_expected(ctx: Ctx) -> None:
    await ctx.turn.send(ctx._(USE_BUTTONS))


def typed(ctx: Ctx) -> str | None:
    """The message's text; None for a photo, a sticker, a location…"""
    message = ctx.turn.update.effective_message
    text = clean_text(message.text) if message is not None and message.text else ""
    return text or None


async def typed_text(ctx: Ctx) -> str | None:
    """What was typed, when it is text within the limit; else None after saying why."""
    text = typed(ctx)
    if text is None:
        await ctx.turn.send(ctx._(AS_TEXT))
        return None
    if len(text) > NOTE_MAX:
        await ctx.turn.send(ctx._(TOO_LONG).format(length=len(text), max=NOTE_MAX))
        return None
    return text


async def typed_amount(ctx: Ctx) -> Decimal | None:
    text = typed(ctx)
    if text is None:
        await ctx.turn.send(ctx._(AS_TEXT))
        return None
    try:
        return rules.parse_amount(text)
    except CaseRuleError as exc:
        await ctx.turn.send(rule_message(ctx._, exc))
        return None


@ACTING.on_message(Step.SUMMARY)
async def type_summary(ctx: Ctx) -> None:
    text = await typed_text(ctx)
    if text is not None:
        ctx.draft.summary = text
        await advance(ctx, Step.AGREED)


@ACTING.on_message(Step.AGREED)
async def type_agreed(ctx: Ctx) -> None:
    amount = await typed_amount(ctx)
    if amount is not None:
        ctx.draft.amount_agreed = amount
        await advance(ctx, Step.PAID)


@ACTING.on_message(Step.PAID)
async def type_paid(ctx: Ctx) -> None:
    amount = await typed_amount(ctx)
    if amount is not None:
        await finish_with(ctx, agreement(ctx.draft, paid=amount))


@ACTING.on_message(Step.RELIEF)
async def type_relief(ctx: Ctx) -> None:
    amount = await typed_amount(ctx)
    if amount is not None:
        await finish_with(ctx, ActionPayload(relief_amount=amount))


@ACTING.on_message(Step.NOTE)
async def type_note(ctx: Ctx) -> None:
    text = await typed_text(ctx)
    if text is not None:
        await finish_with(ctx, ActionPayload(note=text))


def agreement(draft: ActionDraft, paid: Decimal | None = None) -> ActionPayload:
    return ActionPayload(
        agreement_form=draft.agreement_form,
        summary=draft.summary,
        amount_agreed=draft.amount_agreed,
        amount_paid=paid,
    )


# --- applying the action --------------------------------------------------------------


async def finish_with(ctx: Ctx, payload: ActionPayload) -> None:
    turn, draft = ctx.turn, ctx.draft
    township = turn.svc.directory.township(draft.township_id)
    if township is None or await load_visible(turn, draft.case_id) is None:
        async with turn.svc.transaction() as session:
            await ctx.end(session)
        await turn.send(not_found(turn))
        return
    await finish(turn, ctx, township, draft.case_id, draft.case_version, draft.action, payload)


async def finish(
    turn: MemberTurn,
    ctx: Ctx | None,
    township: TownshipInfo,
    case_id: int,
    version: int,
    action: Action,
    payload: ActionPayload,
) -> None:
    """Apply the action and end its conversation in one transaction, then show the card;
    on a refusal nothing is written and the member is told why."""
    view = view_of(turn, township)
    problem: Html | None = None
    try:
        async with turn.svc.transaction() as session:
            if ctx is not None and not await ctx.end(session):
                await stale(turn)
                return
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
    except case_db.CaseChanged:
        problem = turn._(CHANGED_MEANWHILE)
    except CaseRuleError as exc:
        problem = rule_message(turn._, exc, view)
        if exc.code in RETYPE or exc.code.startswith("amount_"):
            await turn.send(problem)
            return
    if problem is not None and ctx is not None:
        async with turn.svc.transaction() as session:
            await ctx.end(session)
    await show_card(turn, case_id, notice=problem or turn._(DONE_NOTICES[action]))


async def stale(turn: MemberTurn) -> None:
    """The conversation moved on while this update waited (a second device, a double tap)."""
    if turn.query is not None:
        await turn.answer(turn._(STALE), alert=True)
    else:
        await turn.send(turn._(STALE))

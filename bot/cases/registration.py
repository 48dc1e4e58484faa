"""Registering a dispute case (/case new), step by step: village, category, source, parties,
description, people involved, amount, difficulty, then a confirmation. A registration half
typed in is set aside when another command starts and offered back by /case new; a visit
log with 矛盾化解 starts one in its village (`start_registration_from_visit`)."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal

from pydantic import BaseModel, Field, ValidationError

from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.access import CREATORS, domain_actor, holds
from bot.cases.buttons import nth
from bot.cases.card import show_card
from bot.cases.rules import CaseRuleError, Tier
from bot.cases.township import Purpose, local_now, opens, view_of
from bot.cases.views import (
    AS_TEXT,
    CANCEL,
    DESCRIPTION_MAX,
    TIER_LABELS,
    TOO_LONG,
    USE_BUTTONS,
    Screen,
    money,
    pairs,
    party_texts,
    rule_message,
)
from bot.core.db.directory import TownshipInfo
from bot.core.flows import STALE, Flow, FlowTurn, Press
from bot.core.render import listing
from bot.core.text import clean_text
from bot.core.turn import Button, FlowState, MemberTurn, page_of, resumable

VILLAGE_PAGE = 12
TIERS = {"o": Tier.ORDINARY, "c": Tier.COMPLEX, "d": Tier.DIFFICULT}


class Step(enum.StrEnum):
    VILLAGE = "village"
    CATEGORY = "category"
    SOURCE = "source"
    PARTIES = "parties"
    DESCRIPTION = "description"
    PEOPLE = "people"
    AMOUNT = "amount"
    TIER = "tier"
    CONFIRM = "confirm"


class Do(enum.StrEnum):
    PAGE = "vp"
    VILLAGE = "v"
    CATEGORY = "c"
    SOURCE = "s"
    PARTIES_DONE = "pd"
    NO_AMOUNT = "na"
    TIER = "t"
    SAVE = "ok"
    CANCEL = "x"


class PartyDraft(BaseModel):
    name: str
    phone: str | None = None


class RegistrationDraft(BaseModel):
    township_id: int
    village_page: int = 0
    village_id: int | None = None
    category: str | None = None
    source: str | None = None
    parties: list[PartyDraft] = Field(default_factory=list)
    description: str | None = None
    people: int | None = None
    amount: Decimal | None = None
    tier: Tier | None = None
    # The visit log it was started from, linked once the case is saved.
    visit_id: int | None = None


REGISTRATION: Flow[RegistrationDraft, Step] = Flow("case_new", "csn", RegistrationDraft, Step)
Ctx = FlowTurn[RegistrationDraft, Step]


def worth_keeping(state: FlowState) -> bool:
    """Every registration under way is set aside when another command starts (one that no
    longer reads as a draft is dropped)."""
    try:
        RegistrationDraft.model_validate(state.data)
    except ValidationError:
        return False
    return True


resumable(REGISTRATION.name, worth_keeping)


@opens(Purpose.NEW)
async def start(turn: MemberTurn, township: TownshipInfo, purpose: Purpose) -> Sequence[Screen]:
    """A new registration in the township, or the unfinished one where it was left."""
    async with turn.svc.transaction() as session:
        ctx = await REGISTRATION.resume(turn, session, lambda d: d.township_id == township.id)
        resumed = ctx is not None
        if ctx is None:
            draft = RegistrationDraft(township_id=township.id)
            ctx = await REGISTRATION.start(turn, session, Step.VILLAGE, draft)
    prompt = await PROMPTS[ctx.step](ctx)
    if not resumed:
        return [prompt]
    return [Screen(turn._("You have an unfinished case registration; here it is.")), prompt]


async def start_registration_from_visit(
    turn: MemberTurn, *, township_id: int, village_id: int, visit_id: int
) -> None:
    """A registration in the village of the member's visit log, linked to it once saved."""
    draft = RegistrationDraft(township_id=township_id, village_id=village_id, visit_id=visit_id)
    async with turn.svc.transaction() as session:
        ctx = await REGISTRATION.start(turn, session, Step.CATEGORY, draft)
    await ask(ctx)


# --- what each step asks ----------------------------------------------------------------


def cancel_button(ctx: Ctx) -> Button:
    return ctx.button(ctx._(CANCEL), Do.CANCEL)


async def ask_village(ctx: Ctx) -> Screen:
    villages = ctx.turn.svc.directory.villages_of(ctx.draft.township_id)
    shown, page, pages = page_of(villages, ctx.draft.village_page, VILLAGE_PAGE)
    rows = pairs([ctx.button(v.name, Do.VILLAGE, v.id) for v in shown])
    nav: list[Button] = []
    if page > 0:
        nav.append(ctx.button("◀️", Do.PAGE, page - 1))
    if page < pages - 1:
        nav.append(ctx.button("▶️", Do.PAGE, page + 1))
    rows.append(nav)
    rows.append([cancel_button(ctx)])
    return Screen(ctx._("New dispute case. Which village is it in?"), rows)


async def ask_category(ctx: Ctx) -> Screen:
    terms = case_db.case_config(ctx.turn.svc.settings).categories
    buttons = [ctx.button(t.label, Do.CATEGORY, i) for i, t in enumerate(terms)]
    return Screen(ctx._("What kind of dispute is it?"), [*pairs(buttons, 3), [cancel_button(ctx)]])


async def ask_source(ctx: Ctx) -> Screen:
    terms = case_db.case_config(ctx.turn.svc.settings).sources
    buttons = [ctx.button(t.label, Do.SOURCE, i) for i, t in enumerate(terms)]
    return Screen(ctx._("Where did the case come from?"), [*pairs(buttons), [cancel_button(ctx)]])


async def ask_parties(ctx: Ctx) -> Screen:
    _ = ctx._
    parties = ctx.draft.parties
    if not parties:
        return Screen(
            _(
                "Who are the parties? Type one per line: the name, optionally followed by a "
                "phone number, for example:\n张三 13812345678\n李四\n"
                "Phone numbers are stored but always shown masked."
            ),
            [[cancel_button(ctx)]],
        )
    return Screen(
        _(
            "Parties so far: {parties}. Type another party, or tap “Done” when all are added."
        ).format(parties=listing(ctx.turn.lang, party_texts(parties, ctx.turn.lang))),
        [[ctx.button(_("✔️ Done"), Do.PARTIES_DONE), cancel_button(ctx)]],
    )


async def ask_description(ctx: Ctx) -> Screen:
    return Screen(
        ctx._("Briefly describe the dispute (at most {max} characters).").format(
            max=DESCRIPTION_MAX
        ),
        [[cancel_button(ctx)]],
    )


async def ask_people(ctx: Ctx) -> Screen:
    return Screen(
        ctx._("How many people are involved? Type a number, for example 3."),
        [[cancel_button(ctx)]],
    )


async def ask_amount(ctx: Ctx) -> Screen:
    _ = ctx._
    return Screen(
        _(
            "What amount of money is involved (yuan)? For example 5000 or 1.2万. If none, "
            "tap the button."
        ),
        [[ctx.button(_("No money involved"), Do.NO_AMOUNT), cancel_button(ctx)]],
    )


async def ask_tier(ctx: Ctx) -> Screen:
    _ = ctx._
    days = case_db.case_config(ctx.turn.svc.settings).tier_days
    rows = [
        [
            ctx.button(
                _("{tier}: {days} days").format(tier=_(TIER_LABELS[tier]), days=days[tier]),
                Do.TIER,
                code,
            )
        ]
        for code, tier in TIERS.items()
    ]
    return Screen(_("How difficult is it? This sets the deadline."), [*rows, [cancel_button(ctx)]])


async def ask_confirm(ctx: Ctx) -> Screen:
    _ = ctx._
    turn, draft = ctx.turn, ctx.draft
    township = turn.svc.directory.township(draft.township_id)
    village = turn.svc.directory.village(draft.village_id or 0)
    if township is None or village is None or draft.tier is None:
        return Screen(_(STALE))
    view = view_of(turn, township)
    text = turn.svc.renderer.render(
        "cases/confirm.html.j2",
        turn.lang,
        township=township.name,
        village=village.name,
        category=view.category(draft.category or ""),
        source=view.source(draft.source or ""),
        parties=party_texts(draft.parties, turn.lang),
        description=draft.description or "",
        people=draft.people,
        amount=money(draft.amount, turn.lang),
        tier=view.tier(draft.tier),
        deadline=view.date(rules.deadline_for(draft.tier, view.today, view.config.tier_days)),
    )
    return Screen(
        text, [[ctx.button(_("✅ Save"), Do.SAVE), ctx.button(_("🗑 Discard"), Do.CANCEL)]]
    )


PROMPTS: dict[Step, Callable[[Ctx], Awaitable[Screen]]] = {
    Step.VILLAGE: ask_village,
    Step.CATEGORY: ask_category,
    Step.SOURCE: ask_source,
    Step.PARTIES: ask_parties,
    Step.DESCRIPTION: ask_description,
    Step.PEOPLE: ask_people,
    Step.AMOUNT: ask_amount,
    Step.TIER: ask_tier,
    Step.CONFIRM: ask_confirm,
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


@REGISTRATION.on(None, Do.CANCEL)
async def cancel(ctx: Ctx, press: Press) -> None:
    async with ctx.turn.svc.transaction() as session:
        await ctx.end(session)
    await ctx.turn.answer()
    await ctx.turn.show(ctx._("Cancelled. The case was not registered."))


@REGISTRATION.on(Step.VILLAGE, Do.PAGE)
async def turn_page(ctx: Ctx, press: Press) -> None:
    ctx.draft.village_page = press.number(0)
    await advance(ctx, Step.VILLAGE)


@REGISTRATION.on(Step.VILLAGE, Do.VILLAGE)
async def pick_village(ctx: Ctx, press: Press) -> None:
    village = ctx.turn.svc.directory.village(press.number(0))
    if village is None or village.township_id != ctx.draft.township_id or not village.active:
        await ctx.turn.answer(ctx._("That village is not in this township."), alert=True)
        return
    ctx.draft.village_id = village.id
    await advance(ctx, Step.CATEGORY)


@REGISTRATION.on(Step.CATEGORY, Do.CATEGORY)
async def pick_category(ctx: Ctx, press: Press) -> None:
    terms = case_db.case_config(ctx.turn.svc.settings).categories
    ctx.draft.category = nth(press, 0, terms).key
    await advance(ctx, Step.SOURCE)


@REGISTRATION.on(Step.SOURCE, Do.SOURCE)
async def pick_source(ctx: Ctx, press: Press) -> None:
    terms = case_db.case_config(ctx.turn.svc.settings).sources
    ctx.draft.source = nth(press, 0, terms).key
    await advance(ctx, Step.PARTIES)


@REGISTRATION.on(Step.PARTIES, Do.PARTIES_DONE)
async def parties_done(ctx: Ctx, press: Press) -> None:
    if not ctx.draft.parties:
        await ctx.turn.answer(ctx._("Please add at least one party first."), alert=True)
        return
    await advance(ctx, Step.DESCRIPTION)


@REGISTRATION.on(Step.AMOUNT, Do.NO_AMOUNT)
async def no_amount(ctx: Ctx, press: Press) -> None:
    ctx.draft.amount = None
    await advance(ctx, Step.TIER)


@REGISTRATION.on(Step.TIER, Do.TIER)
async def pick_tier(ctx: Ctx, press: Press) -> None:
    ctx.draft.tier = TIERS[press.choice(0, list(TIERS))]
    await advance(ctx, Step.CONFIRM)


@REGISTRATION.on(Step.CONFIRM, Do.SAVE)
async def save(ctx: Ctx, press: Press) -> None:
    turn, draft = ctx.turn, ctx.draft
    _ = turn._
    township = turn.svc.directory.township(draft.township_id)
    if township is None or not holds(turn.actor, township.id, CREATORS):
        await turn.answer(_("You can no longer register cases in this township."), alert=True)
        return
    data = new_case_of(draft)
    if data is None:
        await ctx.stale()
        return
    view = view_of(turn, township)
    try:
        async with turn.svc.transaction() as session:
            if not await ctx.end(session):
                await ctx.stale()
                return
            case = await case_db.create_case(
                session,
                township=township,
                data=data,
                actor=domain_actor(turn.actor, township.id),
                at=local_now(turn, township),
                config=view.config,
            )
    except CaseRuleError as exc:
        await turn.answer(rule_message(_, exc, view), alert=True)
        return
    await turn.answer(_("Saved"))
    notice = _("✅ Case {number} registered. Deadline: {deadline}.").format(
        number=case.number, deadline=view.date(case.state.deadline)
    )
    await show_card(turn, case.id, notice=notice)


def new_case_of(draft: RegistrationDraft) -> case_db.NewCase | None:
    """The case to save, when every step has been answered."""
    if (
        draft.village_id is None
        or draft.category is None
        or draft.source is None
        or draft.description is None
        or draft.people is None
        or draft.tier is None
        or not draft.parties
    ):
        return None
    return case_db.NewCase(
        village_id=draft.village_id,
        category=draft.category,
        source=draft.source,
        tier=draft.tier,
        description=draft.description,
        people_count=draft.people,
        amount=draft.amount,
        parties=[case_db.PartyInput(p.name, p.phone) for p in draft.parties],
        visit_id=draft.visit_id,
    )


# --- what is typed --------------------------------------------------------------------


@REGISTRATION.on_message(Step.VILLAGE, Step.CATEGORY, Step.SOURCE, Step.TIER, Step.CONFIRM)
async def buttons_expected(ctx: Ctx) -> None:
    await ctx.turn.send(ctx._(USE_BUTTONS))


async def typed(ctx: Ctx) -> str | None:
    """The message's text; None, after asking for text, for a photo, a sticker…"""
    message = ctx.turn.update.effective_message
    text = clean_text(message.text) if message is not None and message.text else ""
    if not text:
        await ctx.turn.send(ctx._(AS_TEXT))
        return None
    return text


@REGISTRATION.on_message(Step.PARTIES)
async def type_parties(ctx: Ctx) -> None:
    text = await typed(ctx)
    if text is None:
        return
    try:
        parties = rules.parse_parties(text, len(ctx.draft.parties))
    except CaseRuleError as exc:
        await ctx.turn.send(rule_message(ctx._, exc))
        return
    ctx.draft.parties += [PartyDraft(name=name, phone=phone) for name, phone in parties]
    await advance(ctx, Step.PARTIES)


@REGISTRATION.on_message(Step.DESCRIPTION)
async def type_description(ctx: Ctx) -> None:
    text = await typed(ctx)
    if text is None:
        return
    if len(text) > DESCRIPTION_MAX:
        await ctx.turn.send(ctx._(TOO_LONG).format(length=len(text), max=DESCRIPTION_MAX))
        return
    ctx.draft.description = text
    await advance(ctx, Step.PEOPLE)


@REGISTRATION.on_message(Step.PEOPLE)
async def type_people(ctx: Ctx) -> None:
    text = await typed(ctx)
    if text is None:
        return
    try:
        ctx.draft.people = rules.parse_people_count(text)
    except CaseRuleError as exc:
        await ctx.turn.send(rule_message(ctx._, exc))
        return
    await advance(ctx, Step.AMOUNT)


@REGISTRATION.on_message(Step.AMOUNT)
async def type_amount(ctx: Ctx) -> None:
    text = await typed(ctx)
    if text is None:
        return
    try:
        ctx.draft.amount = rules.parse_amount(text)
    except CaseRuleError as exc:
        await ctx.turn.send(rule_message(ctx._, exc))
        return
    await advance(ctx, Step.TIER)

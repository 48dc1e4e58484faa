"""Objections to a list preview: a named member objects (/object or the button on their
notice) with a typed reason; the secretary decides with buttons and may type a note for the
member. Both conversations are declared `Flow`s; the buttons outside them are in
`bot.lists.actions`."""

from __future__ import annotations

import enum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.core.flows import Flow, FlowTurn, Press
from bot.core.i18n import N_
from bot.core.outbox import enqueue
from bot.core.render import format_datetime
from bot.core.roles import MANAGERS, Role
from bot.core.text import clean_text
from bot.core.turn import Button, MemberTurn, member_only
from bot.lists import queries as rb_db
from bot.lists import service
from bot.lists.actions import BUTTONS, Act, Verdict
from bot.lists.notices import decision_row, objection_body
from bot.lists.replies import refusal_text
from bot.lists.views import decision_reply, note_prompt, period_text

REASON_MIN, REASON_MAX = 4, 500
NOTE_MAX = 300


class ObjectStep(enum.StrEnum):
    REASON = "reason"


class ObjectDraft(BaseModel):
    issue_id: int


class DecideStep(enum.StrEnum):
    NOTE = "note"


class DecideDraft(BaseModel):
    objection_id: int
    upheld: bool


OBJECTION = Flow("rb_object", "rbo", ObjectDraft, ObjectStep)
DECISION = Flow("rb_decide", "rbd", DecideDraft, DecideStep, roles=tuple(MANAGERS))

WITHOUT_NOTE = N_("Decide without a note")


def _tz(turn: MemberTurn, township_id: int) -> ZoneInfo:
    info = turn.svc.directory.township(township_id)
    return turn.svc.settings.township_tz(info.code) if info else turn.svc.settings.tz


# --- the member objects ---------------------------------------------------------------------


@member_only()
async def object_command(turn: MemberTurn) -> None:
    """A secretary's /object lists the open objections; a member's files or starts one."""
    if turn.actor.roles & {Role.SECRETARY, Role.ADMIN} and await _show_undecided(turn):
        return
    _ = turn._
    reason = clean_text(" ".join(turn.context.args or []))
    township_ids = turn.actor.township_ids()
    async with turn.svc.transaction() as session:
        issues = await rb_db.objectable_previews(
            session, township_ids, turn.actor.member_id, turn.now
        )
        closed = (
            None
            if issues
            else await rb_db.closed_preview(session, township_ids, turn.actor.member_id)
        )
    if not issues:
        if closed is not None and closed.objections_until is not None:
            await turn.send(
                _("The objection window closed at {until}; objections are no longer taken.").format(
                    until=format_datetime(
                        closed.objections_until, _tz(turn, closed.township_id), turn.lang
                    )
                )
            )
        else:
            await turn.send(_("You are not named on any list preview that is open for objections."))
        return
    if len(issues) > 1:
        await turn.send(
            _("Which list do you object to?"),
            [
                [BUTTONS.button(turn, period_text(i.snapshot, turn.lang), Act.OBJECT, i.id)]
                for i in issues
            ],
        )
        return
    if reason:
        await file_objection(turn, issues[0].id, reason)
    else:
        await ask_reason(turn, issues[0].id)


@BUTTONS.on(Act.OBJECT)
async def object_pressed(turn: MemberTurn, press: Press) -> None:
    issue_id = press.number(0)
    await turn.answer()
    await ask_reason(turn, issue_id)


async def ask_reason(turn: MemberTurn, issue_id: int) -> None:
    _ = turn._
    async with turn.svc.transaction() as session:
        refused = await service.objection_refusal(session, turn.actor, issue_id, turn.now)
        if refused is None:
            await OBJECTION.start(turn, session, ObjectStep.REASON, ObjectDraft(issue_id=issue_id))
    if refused is not None:
        await turn.send(refusal_text(_, refused, turn.lang))
        return
    await turn.send(
        _(
            "Please type your reason in one message: which fact is wrong, or the leave or "
            "official duty that was not counted ({min}–{max} characters). /cancel stops."
        ).format(min=REASON_MIN, max=REASON_MAX)
    )


def _typed(turn: MemberTurn) -> str:
    message = turn.update.effective_message
    return clean_text(message.text or "") if message and message.text else ""


@OBJECTION.on_message(ObjectStep.REASON)
async def typed_reason(ctx: FlowTurn[ObjectDraft, ObjectStep]) -> None:
    text = _typed(ctx.turn)
    if not text:
        await ctx.turn.send(ctx._("Please type your reason as text, or /cancel."))
        return
    await file_objection(ctx.turn, ctx.draft.issue_id, text)


async def file_objection(turn: MemberTurn, issue_id: int, text: str) -> None:
    _ = turn._
    if len(text) < REASON_MIN:
        await turn.send(
            _("Please give a reason of at least {n} characters. Nothing was saved.").format(
                n=REASON_MIN
            )
        )
        return
    if len(text) > REASON_MAX:
        await turn.send(_("The reason is too long (at most {n} characters).").format(n=REASON_MAX))
        return
    async with turn.svc.transaction() as session:
        outcome = await service.file_objection(
            session, turn.svc, turn.actor, issue_id, text, turn.now
        )
        if turn.flow_state is not None and turn.flow_state.flow == OBJECTION.name:
            await turn.clear_state(session)
        await enqueue(session, outcome.messages, turn.now)
    if outcome.refusal is not None:
        await turn.send(refusal_text(_, outcome, turn.lang))
        return
    await turn.send_queued()
    await turn.send(
        _("Your objection was recorded and the secretary was told. You will hear the decision.")
    )


# --- the secretary decides ------------------------------------------------------------------


async def _show_undecided(turn: MemberTurn) -> bool:
    """The open objections with decision buttons; False (nothing said) when there are none
    and the secretary is also a cadre, whose /object then works as a member's."""
    _ = turn._
    async with turn.svc.transaction() as session:
        rows = await rb_db.undecided(session, turn.actor.township_ids(Role.SECRETARY))
    if not rows and Role.CADRE in turn.actor.roles:
        return False
    if not rows:
        await turn.send(_("There are no open objections."))
        return True
    for objection, issue, name in rows:
        await turn.send(
            objection_body(turn.svc, issue, objection, name, turn.lang),
            [decision_row(turn.svc.codec, objection.id, turn.lang)],
        )
    return True


@BUTTONS.on(Act.DECIDE)
async def decide_pressed(turn: MemberTurn, press: Press) -> None:
    """Before deciding, the secretary may type a note for the member (why)."""
    objection_id = press.number(0)
    upheld = press.choice(1, tuple(Verdict)) == Verdict.UPHOLD
    _ = turn._
    async with turn.svc.transaction() as session:
        found = await service.open_objection(session, turn.actor, objection_id)
        if found.refusal is None:
            await DECISION.start(
                turn,
                session,
                DecideStep.NOTE,
                DecideDraft(objection_id=objection_id, upheld=upheld),
            )
    if found.refusal is not None:
        await turn.answer(refusal_text(_, found, turn.lang), alert=True)
        return
    await turn.answer()
    verdict = Verdict.UPHOLD if upheld else Verdict.REJECT
    rows: list[list[Button]] = [
        [BUTTONS.button(turn, _(WITHOUT_NOTE), Act.DECIDE_NOW, objection_id, verdict)]
    ]
    await turn.send(note_prompt(_, upheld, found.name, NOTE_MAX), rows)


@BUTTONS.on(Act.DECIDE_NOW)
async def without_note(turn: MemberTurn, press: Press) -> None:
    """Decided without a note: the note step, if it is this objection's, ends too."""
    objection_id = press.number(0)
    upheld = press.choice(1, tuple(Verdict)) == Verdict.UPHOLD
    await decide(turn, DecideDraft(objection_id=objection_id, upheld=upheld), None)


@DECISION.on_message(DecideStep.NOTE)
async def typed_note(ctx: FlowTurn[DecideDraft, DecideStep]) -> None:
    _ = ctx._
    note = _typed(ctx.turn)
    if not note:
        await ctx.turn.send(_("Please type the note as text, or tap “Decide without a note”."))
        return
    if len(note) > NOTE_MAX:
        await ctx.turn.send(
            _("The note is {n} characters long; please keep it to {max}.").format(
                n=len(note), max=NOTE_MAX
            )
        )
        return
    await decide(ctx.turn, ctx.draft, note)


async def decide(turn: MemberTurn, draft: DecideDraft, note: str | None) -> None:
    _ = turn._
    typed = turn.query is None
    async with turn.svc.transaction() as session:
        current = DECISION.current(turn)
        if current is not None and current.draft.objection_id == draft.objection_id:
            await current.end(session)
        outcome = await service.decide(
            session, turn.actor, draft.objection_id, draft.upheld, note, turn.now
        )
        await enqueue(session, outcome.messages, turn.now)
    issue = outcome.issue
    if outcome.refusal is not None or issue is None:
        refused = refusal_text(_, outcome, turn.lang)
        if typed:
            await turn.send(refused)
        else:
            await turn.answer(refused, alert=True)
        return
    period = period_text(issue.snapshot, turn.lang)
    text = decision_reply(_, draft.upheld, outcome.name, period, note)
    if typed:
        await turn.send(text)
    else:
        await turn.answer(_("Upheld") if draft.upheld else _("Rejected"))
        await turn.show(text)
    await turn.send_queued()

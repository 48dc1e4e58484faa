"""Queries for the dispute case ledger (矛盾纠纷排查化解台账).

The rules live in `bot.cases.rules`; this module loads cases into its `CaseState`
snapshots, applies its decisions and writes the append-only timeline.

Times: every `at` is an aware datetime in the township's time zone (so `at.date()` is the
township's calendar day); every `today` is that township's date.

Other features link a visit log to a case here (`open_cases_in_village`, `link_visit`);
figures, the brief and reminders are read in `bot.cases.facts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from bot.cases import rules
from bot.cases.rows import event_row, from_fen, state_of, to_fen, write_state
from bot.cases.rules import (
    MAX_PARTIES,
    PARTY_NAME_MAX,
    Action,
    ActionPayload,
    CaseConfig,
    CaseRuleError,
    CaseState,
    Status,
    Term,
    Tier,
)
from bot.core.config import Settings
from bot.core.db.engine import insert_for
from bot.core.db.members import audit
from bot.core.models import (
    DisputeCase,
    DisputeCaseCounter,
    DisputeCaseEvent,
    DisputeCaseParty,
    FieldVisit,
    Member,
    Township,
    Village,
)


class TownshipRef(Protocol):
    """A township as case numbering needs it (a database row or the directory's entry)."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...


class CaseChanged(Exception):
    """The case changed since the user's card was drawn (another action came first)."""


# --- configuration -------------------------------------------------------------------


def case_config(settings: Settings) -> CaseConfig:
    """The domain configuration built from `[cases]`."""
    c = settings.cases
    return CaseConfig(
        categories=tuple(Term(t.key, t.label) for t in c.categories),
        sources=tuple(Term(t.key, t.label) for t in c.sources),
        referral_units=tuple(Term(t.key, t.label) for t in c.referral_units),
        tier_days={
            Tier.ORDINARY: c.tier_days.ordinary,
            Tier.COMPLEX: c.tier_days.complex,
            Tier.DIFFICULT: c.tier_days.difficult,
        },
        followup_after_days=c.followup_after_days,
    )


@dataclass(frozen=True)
class CaseSummary:
    """A case without personal data: safe for lists, statistics and reminders."""

    id: int
    village_id: int
    version: int
    state: CaseState

    @property
    def number(self) -> str:
        return self.state.number


@dataclass(frozen=True)
class Party:
    name: str
    phone: str | None


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    description: str
    amount: Decimal | None
    parties: tuple[Party, ...]
    events: tuple[DisputeCaseEvent, ...]
    # member id -> display name, for opened_by, the mediator and every timeline actor
    names: dict[int, str] = field(default_factory=dict)


# --- numbering and creation ----------------------------------------------------------


async def allocate_seq(session: AsyncSession, township_id: int, year: int) -> int:
    """The next sequence number for the township and year, without gaps or duplicates.

    The counter row is created if missing (INSERT ... ON CONFLICT DO NOTHING), then bumped
    with one `UPDATE ... RETURNING`: PostgreSQL row-locks it until the transaction ends and
    SQLite serialises writers, so concurrent creations get distinct consecutive numbers.
    A rolled-back creation rolls its increment back too.
    """
    await session.execute(
        insert_for(session, DisputeCaseCounter)
        .values(township_id=township_id, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["township_id", "year"])
    )
    seq = await session.scalar(
        update(DisputeCaseCounter)
        .where(DisputeCaseCounter.township_id == township_id, DisputeCaseCounter.year == year)
        .values(last_seq=DisputeCaseCounter.last_seq + 1)
        .returning(DisputeCaseCounter.last_seq)
    )
    assert seq is not None
    return int(seq)


@dataclass(frozen=True)
class PartyInput:
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class NewCase:
    village_id: int
    category: str
    source: str
    tier: Tier
    description: str
    people_count: int
    amount: Decimal | None
    parties: Sequence[PartyInput]
    registered_on: date | None = None  # defaults to at.date()
    mediator_id: int | None = None
    # A visit log of the registering member, linked to the case once it is saved.
    visit_id: int | None = None


async def create_case(
    session: AsyncSession,
    *,
    township: TownshipRef,
    data: NewCase,
    actor: rules.Actor,
    at: datetime,
    config: CaseConfig,
) -> CaseSummary:
    """Register a case: validate with the domain, allocate its number, write the first
    timeline entry and an audit entry (no personal data in either), and link the visit log
    it was registered from."""
    village = await session.get(Village, data.village_id)
    if village is None or village.township_id != township.id:
        raise CaseRuleError("missing_village")
    if not data.parties or len(data.parties) > MAX_PARTIES:
        raise CaseRuleError("invalid_parties", max=MAX_PARTIES)
    if not data.description.strip():
        raise CaseRuleError("missing_description")
    amount = None if data.amount is None else rules.validate_amount(data.amount)
    registered_on = data.registered_on or at.date()

    def build(seq: int) -> tuple[CaseState, rules.TimelineEntry]:
        return rules.new_case(
            number=rules.format_case_number(township.code, registered_on.year, seq),
            township_id=township.id,
            village=village.name,
            category=data.category,
            source=data.source,
            tier=data.tier,
            registered_on=registered_on,
            actor=actor,
            at=at,
            people_count=data.people_count,
            mediator_id=data.mediator_id,
            config=config,
        )

    build(1)  # validate everything before a number is taken
    seq = await allocate_seq(session, township.id, registered_on.year)
    state, entry = build(seq)
    row = DisputeCase(
        township_id=township.id,
        number=state.number,
        year=registered_on.year,
        seq=seq,
        village_id=village.id,
        category=state.category,
        source=state.source,
        tier=state.tier.value,
        status=state.status.value,
        description=data.description.strip(),
        people_count=state.people_count,
        amount_fen=to_fen(amount),
        registered_on=state.registered_on,
        deadline=state.deadline,
        opened_by=state.opened_by,
        relief_total_fen=0,
        relief_count=0,
        reopened_count=0,
        created_at=at,
        updated_at=at,
    )
    write_state(row, state)
    session.add(row)
    await session.flush()
    for position, party in enumerate(data.parties, start=1):
        session.add(
            DisputeCaseParty(
                case_id=row.id,
                position=position,
                name=party.name[:PARTY_NAME_MAX],
                phone=rules.normalize_phone(party.phone) if party.phone else None,
            )
        )
    session.add(event_row(row.id, entry))
    await audit(
        session,
        at=at,
        action="case.register",
        entity="dispute_case",
        entity_id=state.number,
        actor_member_id=actor.member_id,
        township_id=township.id,
    )
    await session.flush()
    if data.visit_id is not None:
        await link_own_visit(session, data.visit_id, row.id, member_id=actor.member_id, now=at)
    return CaseSummary(row.id, row.village_id, row.version, state)


# --- loading -------------------------------------------------------------------------


async def find_case_id(session: AsyncSession, number: str) -> tuple[int, int] | None:
    """(case id, township id) for a case number in any township, or None."""
    parsed = rules.parse_case_number(number)
    if parsed is None:
        return None
    prefix, year, seq = parsed
    row = (
        await session.execute(
            select(DisputeCase.id, DisputeCase.township_id)
            .join(Township, Township.id == DisputeCase.township_id)
            .where(Township.code == prefix, DisputeCase.year == year, DisputeCase.seq == seq)
        )
    ).first()
    return None if row is None else (int(row[0]), int(row[1]))


def _summary_query() -> Any:
    return select(DisputeCase, Village.name).join(Village, Village.id == DisputeCase.village_id)


def _summary(row: DisputeCase, village: str) -> CaseSummary:
    return CaseSummary(row.id, row.village_id, row.version, state_of(row, village))


async def case_detail(session: AsyncSession, case_id: int) -> CaseDetail | None:
    found = (await session.execute(_summary_query().where(DisputeCase.id == case_id))).first()
    if found is None:
        return None
    row, village = found
    parties = (
        await session.scalars(
            select(DisputeCaseParty)
            .where(DisputeCaseParty.case_id == case_id)
            .order_by(DisputeCaseParty.position)
        )
    ).all()
    events = (
        await session.scalars(
            select(DisputeCaseEvent)
            .where(DisputeCaseEvent.case_id == case_id)
            .order_by(DisputeCaseEvent.at, DisputeCaseEvent.id)
        )
    ).all()
    ids = {row.opened_by, row.mediator_id, *(e.actor_member_id for e in events)}
    for event in events:
        for key in ("mediator_id", "from_mediator_id", "to_mediator_id"):
            value = (event.details or {}).get(key)
            if value and str(value).isdigit():
                ids.add(int(value))
    return CaseDetail(
        summary=_summary(row, village),
        description=row.description,
        amount=from_fen(row.amount_fen),
        parties=tuple(Party(p.name, p.phone) for p in parties),
        events=tuple(events),
        names=await member_names(session, [i for i in ids if i]),
    )


async def member_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name).where(Member.id.in_(wanted))
    )
    return {int(i): str(n) for i, n in rows}


async def case_summaries(
    session: AsyncSession,
    township_id: int,
    *,
    statuses: Iterable[Status] | None = None,
    opened_by: int | None = None,
    involving: int | None = None,
    village_id: int | None = None,
    ids: Iterable[int] | None = None,
    numbers: Iterable[str] | None = None,
    relevant_since: date | None = None,
) -> list[CaseSummary]:
    """A township's cases, filtered. `involving`: opened by or mediated by that member.
    `relevant_since`: registered or closed on/after that date, or still not closed."""
    query = _summary_query().where(DisputeCase.township_id == township_id)
    if statuses is not None:
        query = query.where(DisputeCase.status.in_([s.value for s in statuses]))
    if opened_by is not None:
        query = query.where(DisputeCase.opened_by == opened_by)
    if involving is not None:
        query = query.where(
            or_(DisputeCase.opened_by == involving, DisputeCase.mediator_id == involving)
        )
    if village_id is not None:
        query = query.where(DisputeCase.village_id == village_id)
    if ids is not None:
        query = query.where(DisputeCase.id.in_(list(ids)))
    if numbers is not None:
        query = query.where(DisputeCase.number.in_(list(numbers)))
    if relevant_since is not None:
        query = query.where(
            or_(
                DisputeCase.registered_on >= relevant_since,
                DisputeCase.status != Status.CLOSED.value,
                and_(DisputeCase.closed_on.is_not(None), DisputeCase.closed_on >= relevant_since),
            )
        )
    rows = (await session.execute(query.order_by(DisputeCase.year, DisputeCase.seq))).all()
    return [_summary(row, village) for row, village in rows]


# --- actions -------------------------------------------------------------------------


async def act(
    session: AsyncSession,
    *,
    case_id: int,
    action: Action,
    payload: ActionPayload | None,
    actor: rules.Actor,
    at: datetime,
    config: CaseConfig,
    expected_version: int | None = None,
) -> CaseSummary:
    """Apply one workflow action. Raises CaseRuleError (rule broken: nothing written) or
    CaseChanged (the case moved on since `expected_version`)."""
    found = (
        await session.execute(
            _summary_query().where(DisputeCase.id == case_id).with_for_update(of=DisputeCase)
        )
    ).first()
    if found is None:
        raise CaseRuleError("unknown_case")
    row, village = found
    if expected_version is not None and row.version != expected_version:
        raise CaseChanged()
    before = state_of(row, village)
    new_state, entry = rules.apply(before, action, payload, actor, at, config=config)
    write_state(row, new_state)
    row.updated_at = at
    # Always write the row, even for a note that changes nothing, so the version moves on.
    flag_modified(row, "updated_at")
    try:
        await session.flush()  # the version column makes a concurrent change fail here
    except StaleDataError as exc:
        raise CaseChanged() from exc
    session.add(event_row(row.id, entry))
    await audit(
        session,
        at=at,
        action=f"case.{action.value}",
        entity="dispute_case",
        entity_id=row.number,
        actor_member_id=actor.member_id,
        township_id=row.township_id,
        details={"from": entry.from_status, "to": entry.to_status},
    )
    await session.flush()
    return CaseSummary(row.id, row.village_id, row.version, new_state)


# --- figures for other features ------------------------------------------------------


async def open_cases_in_village(
    session: AsyncSession, township_id: int, village_id: int
) -> list[CaseSummary]:
    """Not-yet-closed cases of a village: what a visit log's 矛盾化解 entry can link to."""
    cases = await case_summaries(session, township_id, village_id=village_id)
    return [c for c in cases if c.state.status is not Status.CLOSED]


async def link_visit(
    session: AsyncSession, visit_id: int, case_id: int | None, *, member_id: int, now: datetime
) -> None:
    """Link a visit log (its 矛盾化解) to a dispute case, or unlink it with None."""
    visit = await session.get(FieldVisit, visit_id)
    assert visit is not None
    visit.dispute_case_id = case_id
    visit.updated_at = now
    await audit(
        session,
        at=now,
        action="visit.link_case" if case_id else "visit.unlink_case",
        entity="visit",
        entity_id=visit_id,
        actor_member_id=member_id,
        township_id=visit.township_id,
        details={"case_id": case_id},
    )


async def link_own_visit(
    session: AsyncSession, visit_id: int, case_id: int, *, member_id: int, now: datetime
) -> None:
    """Link the member's own live visit log to a case registered from it; nothing when the
    log is gone or someone else's."""
    owner = await session.scalar(
        select(FieldVisit.member_id).where(
            FieldVisit.id == visit_id, FieldVisit.deleted_at.is_(None)
        )
    )
    if owner == member_id:
        await link_visit(session, visit_id, case_id, member_id=member_id, now=now)

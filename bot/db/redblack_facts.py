"""The facts the red and black lists are computed from: the seam between this feature and
the visit-log / weekly-report / leave (issue 3) and dispute-case (issue 4) tables.

Handlers, jobs, the CLI and the demo never call these functions directly: they go through
`provider(svc.extras)`, which returns `svc.extras["redblack_facts"]` when one is installed
(tests and the demo install their own) and `DEFAULT_PROVIDER` otherwise.

TODO(merge): `member_weeks`, `member_case_facts` and the three ledger row functions return
nothing on this branch, because the tables they read live on other branches. Implement them
there with the exact signatures below; nothing else has to change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.redblack import Member, MemberCaseFacts, MemberWeek, Period
from bot.models import Member as MemberModel
from bot.models import MemberRole, Village, VillageAssignment

LedgerRow = tuple[Any, ...]


async def member_weeks(session: AsyncSession, township_id: int, period: Period) -> list[MemberWeek]:
    """One `MemberWeek` per member (of `members_for_lists`) and per week of `period.weeks`
    with any data or exemption.

    - `report`: "on_time" / "late" / "missing" for a week with a report due, "exempt" when no
      report was due (no workday, or the member was exempt on the deadline day);
    - `field_days_done` and `field_day_dates`: distinct dates with a visit log in the week;
    - `*_required`: the weekly quota pro-rated with `bot.domain.week.required_quota` for the
      workdays the member was available (holidays, approved leave and official duty removed);
    - `exempt_days`: exempt workdays; `fully_exempt`: no available workday at all.
    """
    # TODO(merge): compute from visit/report/leave tables (issue 3).
    return []


async def member_case_facts(
    session: AsyncSession, township_id: int, period: Period
) -> list[MemberCaseFacts]:
    """Dispute cases owned by the township's members that were still open and overdue at
    `period.end` (`days_overdue` counted to `period.end`), or resolved within the period
    (`resolved_in_period=True`)."""
    # TODO(merge): compute from the case tables (issue 4).
    return []


async def visit_log_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """走访台账 rows, in the order of `VISIT_HEADERS` (bot/exports.py)."""
    # TODO(merge): compute from the visit-log table (issue 3).
    return []


async def report_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """周五交账 rows, in the order of `REPORT_HEADERS` (bot/exports.py)."""
    # TODO(merge): compute from the weekly-report table (issue 3).
    return []


async def case_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """矛盾纠纷台账 rows, in the order of `CASE_HEADERS` (bot/exports.py)."""
    # TODO(merge): compute from the case tables (issue 4).
    return []


async def members_for_lists(
    session: AsyncSession, township_id: int, village_units: Mapping[str, str] | None = None
) -> list[Member]:
    """Active cadres of the township (each once), with their unit: the first 包村 village they
    look after, mapped through `village_units` (village -> 包村 team) when configured."""
    units = village_units or {}
    rows = (
        await session.execute(
            select(MemberModel.id, MemberModel.display_name)
            .join(MemberRole, MemberRole.member_id == MemberModel.id)
            .where(
                MemberRole.township_id == township_id,
                MemberRole.role == "cadre",
                MemberModel.active.is_(True),
            )
            .distinct()
            .order_by(MemberModel.id)
        )
    ).all()
    ids = [mid for mid, _ in rows]
    first_village: dict[int, str] = {}
    if ids:
        assigned = await session.execute(
            select(VillageAssignment.member_id, Village.name)
            .join(Village, Village.id == VillageAssignment.village_id)
            .where(VillageAssignment.member_id.in_(ids), Village.township_id == township_id)
            .order_by(VillageAssignment.member_id, Village.id)
        )
        for mid, name in assigned:
            first_village.setdefault(mid, name)
    out = []
    for mid, name in rows:
        village = first_village.get(mid)
        out.append(Member(mid, name, units.get(village, village) if village else None))
    return out


WeeksFunc = Callable[[AsyncSession, int, Period], Awaitable[list[MemberWeek]]]
CasesFunc = Callable[[AsyncSession, int, Period], Awaitable[list[MemberCaseFacts]]]
RowsFunc = Callable[[AsyncSession, int, date, date], Awaitable[list[LedgerRow]]]


@dataclass(frozen=True)
class FactsProvider:
    """The replaceable hook: install one as `svc.extras["redblack_facts"]`."""

    member_weeks: WeeksFunc = member_weeks
    member_case_facts: CasesFunc = member_case_facts
    visit_log_rows: RowsFunc = visit_log_rows
    report_rows: RowsFunc = report_rows
    case_rows: RowsFunc = case_rows


DEFAULT_PROVIDER = FactsProvider()
EXTRAS_KEY = "redblack_facts"


def provider(extras: Mapping[str, Any]) -> FactsProvider:
    found = extras.get(EXTRAS_KEY)
    return found if isinstance(found, FactsProvider) else DEFAULT_PROVIDER


__all__ = [
    "DEFAULT_PROVIDER",
    "EXTRAS_KEY",
    "FactsProvider",
    "LedgerRow",
    "case_rows",
    "member_case_facts",
    "member_weeks",
    "members_for_lists",
    "provider",
    "report_rows",
    "visit_log_rows",
]

"""The facts the red and black lists are computed from: the seam between this feature and
the visit-log / weekly-report / leave (issue 3) and dispute-case (issue 4) tables.

Handlers, jobs, the CLI and the demo never call these functions directly: they go through
`provider(svc.extras)`, which returns `svc.extras["redblack_facts"]` when one is installed
(tests and the demo install their own) and `DEFAULT_PROVIDER` otherwise.

The running bot installs `database_facts(settings)`, which reads the visit, report, leave and
case tables; the module-level functions below are the empty fallback (no data, nobody listed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.cases.queries import case_config
from bot.cases.rules import DEADLINE_STATUSES, Status
from bot.core.config import Settings
from bot.core.i18n import gettext_for
from bot.core.models import (
    DisputeCase,
    MemberRole,
    Township,
    Village,
    VillageAssignment,
)
from bot.core.models import Member as MemberModel
from bot.core.roles import Role
from bot.lists.rules import CadreWeek, Member, MemberCaseFacts, Period
from bot.reports.queries import needs_by_village, section_texts
from bot.visits.queries import township_visits
from bot.week import facts as week_facts
from bot.week.schedule import WeekRules, week_rules
from bot.week.weeks import week_key, week_of

LedgerRow = tuple[Any, ...]
zh = gettext_for("zh_CN")  # the ledger is a Chinese document whoever exports it


async def member_weeks(session: AsyncSession, township_id: int, period: Period) -> list[CadreWeek]:
    """One `CadreWeek` per member (of `members_for_lists`) and per week of `period.weeks`
    with any data or exemption.

    - `report`: "on_time" / "late" / "missing" for a week with a report due, "exempt" when no
      report was due (no workday, or the member was exempt on the deadline day);
    - `field_days_done` and `field_day_dates`: distinct dates with a visit log in the week;
    - `*_required`: the weekly quota pro-rated with `bot.week.quota.required_quota` for the
      workdays the member was available (holidays, approved leave and official duty removed);
    - `exempt_days`: exempt workdays; `fully_exempt`: no available workday at all.
    """
    return []


async def member_case_facts(
    session: AsyncSession, township_id: int, period: Period
) -> list[MemberCaseFacts]:
    """Dispute cases owned by the township's members that were still open and overdue at
    `period.end` (`days_overdue` counted to `period.end`), or resolved within the period
    (`resolved_in_period=True`)."""
    return []


async def visit_log_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """走访台账 rows, in the order of `VISIT_HEADERS` (bot/core/xlsx.py)."""
    return []


async def report_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """周五交账 rows, in the order of `REPORT_HEADERS` (bot/core/xlsx.py)."""
    return []


async def case_rows(
    session: AsyncSession, township_id: int, start: date, end: date
) -> list[LedgerRow]:
    """矛盾纠纷台账 rows, in the order of `CASE_HEADERS` (bot/core/xlsx.py)."""
    return []


async def members_for_lists(
    session: AsyncSession, township_id: int, village_units: Mapping[str, str] | None = None
) -> list[Member]:
    """Active cadres of the township (each once), with their unit: the first 包村 village they
    look after, mapped through `village_units` (village -> 包村 team) when configured."""
    units = village_units or {}
    villages = (
        select(VillageAssignment.member_id, Village.id, Village.name)
        .join(Village, Village.id == VillageAssignment.village_id)
        .where(Village.township_id == township_id)
        .subquery()
    )
    rows = await session.execute(
        select(MemberModel.id, MemberModel.display_name, villages.c.name)
        .join(MemberRole, MemberRole.member_id == MemberModel.id)
        .outerjoin(villages, villages.c.member_id == MemberModel.id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.CADRE,
            MemberModel.active.is_(True),
        )
        .order_by(MemberModel.id, villages.c.id)
    )
    out: list[Member] = []
    for mid, name, village in rows:  # one row per village looked after (or one, None)
        if out and out[-1].member_id == mid:
            continue
        out.append(Member(mid, name, units.get(village, village) if village else None))
    return out


WeeksFunc = Callable[[AsyncSession, int, Period], Awaitable[list[CadreWeek]]]
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


# --- the real facts, from the visit/report/leave and case tables ---------------------------


def database_facts(settings: Settings) -> FactsProvider:
    """The provider the running bot installs: every fact comes from the database."""

    async def weeks(session: AsyncSession, township_id: int, period: Period) -> list[CadreWeek]:
        township = await session.get(Township, township_id)
        if township is None:
            return []
        rules = week_rules(settings, township.code)
        return await week_facts.period_cadre_weeks(
            session, township_id, period.weeks, rules, period_as_of(period, rules), final=True
        )

    async def cases(
        session: AsyncSession, township_id: int, period: Period
    ) -> list[MemberCaseFacts]:
        owner = func.coalesce(DisputeCase.mediator_id, DisputeCase.opened_by)
        rows = await session.execute(
            select(
                DisputeCase.number,
                DisputeCase.status,
                DisputeCase.deadline,
                DisputeCase.resolved_on,
                owner,
            ).where(
                DisputeCase.township_id == township_id,
                DisputeCase.registered_on <= period.end,
                owner.in_(_active_cadres(township_id)),
                # Only what can count (checked again below): a year of closed cases is not.
                or_(
                    DisputeCase.resolved_on.between(period.start, period.end),
                    and_(
                        DisputeCase.status.in_(DEADLINE_STATUSES),
                        DisputeCase.deadline < period.end,
                    ),
                ),
            )
        )
        out: list[MemberCaseFacts] = []
        for number, status, deadline, resolved_on, owner_id in rows:
            resolved = resolved_on is not None and period.start <= resolved_on <= period.end
            overdue = status in DEADLINE_STATUSES and deadline < period.end
            if resolved or overdue:
                days = (period.end - deadline).days if overdue else 0
                out.append(MemberCaseFacts(owner_id, number, days, resolved))
        return out

    async def visits(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        names = await _member_names(session, township_id)
        by_member = await township_visits(session, township_id, start, end)
        rows = [
            (
                v.visit_date,
                names.get(member_id, str(member_id)),
                v.village,
                "、".join(v.activities),
                v.dispute_screenings,
                len(v.problems),
                "；".join(v.problems),
                v.notes,
                "是" if v.location_checked else "",
                "是" if v.backfilled else "",
            )
            for member_id, member_visits in by_member.items()
            for v in member_visits
        ]
        return sorted(rows, key=lambda r: (r[0], r[1]))

    async def reports(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        township = await session.get(Township, township_id)
        if township is None:
            return []
        rules = week_rules(settings, township.code)
        as_of = datetime.combine(end + timedelta(days=1), time(0), rules.tz)
        labels = {
            "on_time": "按时",
            "late": "迟交",
            "missing": "未交",
            "pending": "未到期",
            "exempt": "免报",
        }
        out: list[LedgerRow] = []
        mondays = []
        week = week_of(start)
        while week <= end:
            mondays.append(week)
            week += timedelta(days=7)
        by_week = await week_facts.cadre_weeks_between(session, township_id, mondays, rules, as_of)
        submitted = await week_facts.first_submissions(
            session, township_id, mondays, {w.member_id for ws in by_week.values() for w in ws}
        )
        for week in mondays:
            plans = {
                member_id: text
                for member_id, _, text in await section_texts(
                    session, township_id, week, "下周计划"
                )
            }
            needs: dict[int, list[str]] = {}
            for group in await needs_by_village(session, township_id, week):
                for need in group.items:
                    text = f"{group.village}：{need.text}" if group.village else need.text
                    needs.setdefault(need.member_id, []).append(text)
            for cw in by_week[week]:
                at = submitted.get((cw.member_id, week))
                out.append(
                    (
                        week_key(week),
                        cw.name,
                        at.astimezone(rules.tz).replace(tzinfo=None) if at else None,
                        labels.get(cw.report, cw.report),
                        cw.field_days_done,
                        cw.screenings_done,
                        cw.problems_done,
                        plans.get(cw.member_id, ""),
                        "\n".join(needs.get(cw.member_id, [])),
                    )
                )
        return out

    async def case_ledger(
        session: AsyncSession, township_id: int, start: date, end: date
    ) -> list[LedgerRow]:
        """No party names or phones: the ledger may be printed and passed around. The 承办人
        is the mediator once one took the case, before that whoever registered it (the one
        its reminders go to)."""
        from bot.cases.views import STATUS_LABELS

        config = case_config(settings)
        categories = {t.key: t.label for t in config.categories}
        mediator = aliased(MemberModel)
        rows = await session.execute(
            select(
                DisputeCase.number,
                DisputeCase.registered_on,
                Village.name,
                DisputeCase.category,
                mediator.display_name,
                DisputeCase.deadline,
                DisputeCase.status,
                DisputeCase.resolved_on,
            )
            .join(Village, Village.id == DisputeCase.village_id)
            .outerjoin(
                mediator,
                mediator.id == func.coalesce(DisputeCase.mediator_id, DisputeCase.opened_by),
            )
            .where(
                DisputeCase.township_id == township_id,
                DisputeCase.registered_on >= start,
                DisputeCase.registered_on <= end,
            )
            .order_by(DisputeCase.registered_on, DisputeCase.seq)
        )
        return [
            (
                number,
                registered,
                village,
                categories.get(cat, cat),
                name or "",
                deadline,
                zh(STATUS_LABELS[Status(status)])
                if status in Status._value2member_map_
                else status,
                resolved,
            )
            for number, registered, village, cat, name, deadline, status, resolved in rows
        ]

    return FactsProvider(
        member_weeks=weeks,
        member_case_facts=cases,
        visit_log_rows=visits,
        report_rows=reports,
        case_rows=case_ledger,
    )


def period_as_of(period: Period, rules: WeekRules) -> datetime:
    """The moment the lists judge a period at: the end of the period, when every deadline in
    it has passed (a report still not submitted then is missing)."""
    return datetime.combine(period.end + timedelta(days=1), time(0), rules.tz)


def _active_cadres(township_id: int) -> Select[int]:
    """The ids of the township's active cadres, as a subquery."""
    return (
        select(MemberRole.member_id)
        .join(MemberModel, MemberModel.id == MemberRole.member_id)
        .where(
            MemberRole.township_id == township_id,
            MemberRole.role == Role.CADRE,
            MemberModel.active.is_(True),
        )
    )


async def _member_names(session: AsyncSession, township_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(MemberModel.id, MemberModel.display_name)
        .join(MemberRole, MemberRole.member_id == MemberModel.id)
        .where(MemberRole.township_id == township_id)
    )
    return {mid: name for mid, name in rows}


__all__ = [
    "DEFAULT_PROVIDER",
    "EXTRAS_KEY",
    "FactsProvider",
    "LedgerRow",
    "case_rows",
    "database_facts",
    "member_case_facts",
    "member_weeks",
    "members_for_lists",
    "period_as_of",
    "provider",
    "report_rows",
    "visit_log_rows",
]

"""Injected facts for the red/black-list tests, through the seam in bot/lists/facts.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.lists.facts import EXTRAS_KEY, FactsProvider
from bot.lists.rules import CadreWeek, MemberCaseFacts, Period

WEEK = date(2026, 11, 16)  # the week before the test clock's Monday


def week_row(member_id: int, week: date, report: str, field: int, **extra: Any) -> CadreWeek:
    values: dict[str, Any] = {
        "field_days_required": 3,
        "screenings_done": 1,
        "screenings_required": 1,
        "problems_done": 1,
        "problems_required": 1,
    }
    values.update(extra)
    return CadreWeek(
        member_id=member_id,
        week_start=week,
        report=report,  # type: ignore[arg-type]
        field_days_done=field,
        field_day_dates=tuple(week + timedelta(days=i) for i in range(field)),
        **values,
    )


class FakeFacts:
    """Mutable facts; editing `weeks` is the "data edit" after a publication."""

    def __init__(self) -> None:
        self.weeks: list[CadreWeek] = []
        self.cases: list[MemberCaseFacts] = []
        self.visits: list[tuple[Any, ...]] = []

    async def member_weeks(self, session: Any, township_id: int, period: Period) -> list[CadreWeek]:
        return [w for w in self.weeks if w.week_start in period.weeks]

    async def member_case_facts(
        self, session: Any, township_id: int, period: Period
    ) -> list[MemberCaseFacts]:
        return list(self.cases)

    async def visit_log_rows(self, session: Any, township_id: int, start: date, end: date) -> list:
        return [v for v in self.visits if start <= v[0] <= end]

    def provider(self) -> FactsProvider:
        return FactsProvider(
            member_weeks=self.member_weeks,
            member_case_facts=self.member_case_facts,
            visit_log_rows=self.visit_log_rows,
        )

    def install(self, world: Any) -> FakeFacts:
        world.svc.extras[EXTRAS_KEY] = self.provider()
        return self

"""The weekly rules of one township, built from the settings in one place.

Handlers (/visit, /me, /report, /leave), the scheduler and the red/black lists all get the
workday calendar, the quota rule and the report schedule from :func:`week_rules`, so they
can never disagree about which days are workdays or when a report is late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.core.config import Settings
from bot.week.rules import (
    ExemptSpan,
    QuotaRule,
    ReportSchedule,
    ReportWindow,
    VisitFact,
    WeekStatus,
    evaluate_week,
    report_window,
    week_of,
)


@lru_cache(maxsize=16)
def _calendar(holidays: tuple[date, ...], workdays: tuple[date, ...]) -> WorkCalendar:
    return WorkCalendar(extra_holidays=holidays, extra_workdays=workdays)


def work_calendar(settings: Settings) -> WorkCalendar:
    """The deployment's workday calendar (shared: its `fallback_years` accumulate)."""
    return _calendar(
        tuple(sorted(settings.calendar.extra_holidays)),
        tuple(sorted(settings.calendar.extra_workdays)),
    )


@dataclass(frozen=True)
class WeekRules:
    calendar: WorkCalendar
    quota: QuotaRule
    schedule: ReportSchedule
    tz: ZoneInfo

    def today(self, now: datetime) -> date:
        """The township's local date at `now`."""
        return now.astimezone(self.tz).date()

    def current_week(self, now: datetime) -> date:
        """Monday of the township-local week containing `now`."""
        return week_of(self.today(now))

    def window(self, week_start: date) -> ReportWindow | None:
        """The week's report window, or None when the week has no workday (nothing due)."""
        return report_window(week_start, self.calendar, self.schedule, self.tz)

    def evaluate(
        self, week_start: date, visits: Iterable[VisitFact], exemptions: Iterable[ExemptSpan]
    ) -> WeekStatus:
        return evaluate_week(week_start, visits, exemptions, self.calendar, self.quota)

    def backfill_dates(self, now: datetime, days: int) -> list[date]:
        """Dates a visit may be logged for: today and `days` days back, newest first."""
        today = self.today(now)
        return [today - timedelta(days=i) for i in range(days + 1)]


def week_rules(settings: Settings, township_code: str | None = None) -> WeekRules:
    """Calendar, quota rule, report schedule and time zone for a township (or the default)."""
    quotas, report = settings.quotas, settings.report
    return WeekRules(
        calendar=work_calendar(settings),
        quota=QuotaRule(
            field_days=quotas.field_days,
            dispute_screenings=quotas.dispute_screenings,
            problems_solved=quotas.problems_solved,
            rounding=quotas.rounding,
        ),
        schedule=ReportSchedule(
            deadline_time=report.deadline_time,
            open_time=report.open_time,
            open_workdays_before=report.open_workdays_before,
        ),
        tz=settings.township_tz(township_code) if township_code else settings.tz,
    )

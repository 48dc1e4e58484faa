"""The weekly rules of one township, built from the settings in one place.

Handlers (/visit, /me, /report, /leave), the scheduler and the red/black lists all get the
workday calendar, the quota rule and the report schedule from :func:`week_rules`, so they
can never disagree about which days are workdays or when a report is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.calendar import NO_NOTICE_DAYS, NoticeDays, WorkCalendar
from bot.core.config import Settings
from bot.week.cadre_week import WeekPlan
from bot.week.deadline import ReportSchedule, ReportWindow, report_window
from bot.week.quota import QuotaRule
from bot.week.weeks import week_of

# The holiday notices imported into each database (bot/calendar), by database URL. Every
# caller builds the calendar from the settings alone, and the settings name the database;
# the application loads them at start and after each import (`use_notice_days`).
_NOTICE_DAYS: dict[str, NoticeDays] = {}


def use_notice_days(settings: Settings, days: NoticeDays) -> None:
    """From now on, the calendar of `settings`' database includes these imported notices."""
    _NOTICE_DAYS[settings.database.url] = days


def notice_days(settings: Settings) -> NoticeDays:
    """The imported notices the calendar of `settings`' database uses now."""
    return _NOTICE_DAYS.get(settings.database.url, NO_NOTICE_DAYS)


def forget_notice_days() -> None:
    """Drop every database's loaded notices (tests, between databases at the same URL)."""
    _NOTICE_DAYS.clear()


@lru_cache(maxsize=16)
def _calendar(
    holidays: tuple[date, ...], workdays: tuple[date, ...], notices: NoticeDays
) -> WorkCalendar:
    return WorkCalendar(extra_holidays=holidays, extra_workdays=workdays, notice_days=notices.days)


def work_calendar(settings: Settings) -> WorkCalendar:
    """The deployment's workday calendar (shared: its `fallback_years` accumulate until an
    import gives a new one). Precedence: `[calendar]` overrides, then the imported notices,
    then the holiday library, then Monday to Friday (bot/core/calendar.py)."""
    return _calendar(
        tuple(sorted(settings.calendar.extra_holidays)),
        tuple(sorted(settings.calendar.extra_workdays)),
        notice_days(settings),
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

    def plan(self, week_start: date) -> WeekPlan:
        """What every cadre's week of `week_start` shares: its report window and workdays."""
        monday = week_of(week_start)
        return WeekPlan(monday, self.window(monday), len(self.calendar.workdays_in_week(monday)))

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

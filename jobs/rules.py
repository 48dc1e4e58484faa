"""The calendar, report schedule and job times in force for a township."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.core.config import Settings, parse_hhmm
from bot.week.deadline import ReportSchedule
from bot.week.schedule import WeekRules, week_rules
from jobs.plan import ALL_JOBS, JobTimes


@dataclass(frozen=True)
class TownshipRules:
    week: WeekRules
    times: JobTimes

    @property
    def tz(self) -> ZoneInfo:
        return self.week.tz

    @property
    def calendar(self) -> WorkCalendar:
        return self.week.calendar

    @property
    def schedule(self) -> ReportSchedule:
        return self.week.schedule


def township_rules(settings: Settings, code: str) -> TownshipRules:
    jobs = settings.township_jobs(code)
    return TownshipRules(
        week=week_rules(settings, code),
        times=JobTimes(
            enabled=frozenset(ALL_JOBS) - set(jobs.disabled),
            report_last_call_before=timedelta(hours=jobs.report_last_call_hours),
            field_nudge_weekday=jobs.field_nudge_weekday,
            field_nudge_at=parse_hhmm(jobs.field_nudge_time),
            field_last_call_at=parse_hhmm(jobs.field_last_call_time),
            agenda_at=parse_hhmm(jobs.agenda_time),
            dispute_reminders_at=parse_hhmm(jobs.dispute_reminders_time),
            weekly_summary_after=timedelta(minutes=jobs.weekly_summary_after_minutes),
            monthly_summary_at=parse_hhmm(jobs.monthly_summary_time),
        ),
    )

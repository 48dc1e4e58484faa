"""When scheduled jobs fall, across normal weeks, holidays, 调休 and years the library lacks."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.week.deadline import ReportSchedule
from jobs.plan import (
    FIELD_NUDGE,
    MONDAY_AGENDA,
    MONTHLY_SUMMARY,
    REPORT_DEADLINE,
    REPORT_OPEN,
    JobTimes,
    occurrences_between,
    week_occurrences,
)

TZ = ZoneInfo("Asia/Shanghai")


def plan(
    week: date, calendar: WorkCalendar | None = None, **times: object
) -> dict[str, list[datetime]]:
    found: dict[str, list[datetime]] = {}
    for occ in week_occurrences(
        week, calendar or WorkCalendar(), ReportSchedule(), JobTimes(**times), TZ
    ):  # type: ignore[arg-type]
        found.setdefault(occ.job, []).append(occ.due_at.astimezone(TZ))
    return found


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def test_normal_week() -> None:
    week = date(2026, 11, 23)
    jobs = plan(week)
    assert jobs[MONDAY_AGENDA] == [at(week, 8)]
    assert jobs[REPORT_OPEN] == [at(date(2026, 11, 26), 12)]
    assert jobs[REPORT_DEADLINE] == [at(date(2026, 11, 27), 18)]
    assert jobs[FIELD_NUDGE] == [at(date(2026, 11, 25), 15)]
    assert len(jobs["dispute_reminders"]) == 5


def test_friday_holiday_moves_the_deadline_to_thursday() -> None:
    # 2026-09-25 (Friday) is the Mid-Autumn holiday.
    jobs = plan(date(2026, 9, 21))
    assert jobs[REPORT_DEADLINE] == [at(date(2026, 9, 24), 18)]
    assert jobs[REPORT_OPEN] == [at(date(2026, 9, 23), 12)]
    assert all(d.date() != date(2026, 9, 25) for d in jobs["dispute_reminders"])


def test_makeup_saturday_is_a_workday_and_the_meeting_moves() -> None:
    # National Day week: 10-01..07 off; the following week has the 调休 Saturday 10-10.
    week = date(2026, 10, 5)
    jobs = plan(week)
    assert jobs[MONDAY_AGENDA] == [at(date(2026, 10, 8), 8)]  # first workday is Thursday
    assert jobs[REPORT_DEADLINE] == [at(date(2026, 10, 10), 18)]  # Saturday workday
    assert jobs[MONTHLY_SUMMARY] == [at(date(2026, 10, 8), 9)]


def test_nudge_on_a_holiday_moves_to_the_next_workday_before_the_deadline() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2026, 11, 25)])
    jobs = plan(date(2026, 11, 23), calendar)
    assert jobs[FIELD_NUDGE] == [at(date(2026, 11, 26), 15)]


def test_year_beyond_the_library_falls_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar()
    jobs = plan(date(2027, 3, 1), calendar)
    assert jobs[REPORT_DEADLINE] == [at(date(2027, 3, 5), 18)]
    assert 2027 in calendar.fallback_years


def test_disabled_jobs_and_custom_times() -> None:
    week = date(2026, 11, 23)
    jobs = plan(week, enabled=frozenset({MONDAY_AGENDA}), agenda_at=time(7, 30))
    assert jobs == {MONDAY_AGENDA: [at(week, 7, 30)]}


def test_occurrences_between_is_half_open_and_ordered() -> None:
    start = at(date(2026, 11, 23), 8)
    found = occurrences_between(
        start, start + timedelta(days=14), WorkCalendar(), ReportSchedule(), JobTimes(), TZ
    )
    assert all(start < o.due_at <= start + timedelta(days=14) for o in found)
    assert found == sorted(found)
    assert [o.job for o in found].count(MONDAY_AGENDA) == 2  # 11-30 and 12-07, not 11-23 08:00

"""Report status of a week, and 问题与需求 items."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkCalendar
from bot.reports.rules import find_village, split_items
from bot.week.deadline import ReportSchedule, report_status, report_window

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
WEEK = date(2026, 11, 23)
WINDOW = report_window(WEEK, CAL, ReportSchedule(), TZ)
DEADLINE = datetime(2026, 11, 27, 18, 0, tzinfo=TZ)


def test_on_time_late_missing_pending() -> None:
    assert WINDOW is not None and WINDOW.deadline == DEADLINE
    before = datetime(2026, 11, 27, 9, 0, tzinfo=TZ)
    # The deadline is a minute: all of 18:00 is on time, from 18:01 it is past.
    within = datetime(2026, 11, 27, 18, 0, 59, tzinfo=TZ)
    after = datetime(2026, 11, 27, 18, 1, tzinfo=TZ)
    assert report_status(WINDOW, DEADLINE, after, False) == "on_time"  # exactly at the deadline
    assert report_status(WINDOW, within, after, False) == "on_time"
    assert report_status(WINDOW, after, after, False) == "late"
    assert report_status(WINDOW, None, before, False) == "pending"
    assert report_status(WINDOW, None, DEADLINE, False) == "pending"
    assert report_status(WINDOW, None, within, False) == "pending"
    assert report_status(WINDOW, None, after, False) == "missing"


def test_exempt_weeks() -> None:
    after = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    assert report_status(WINDOW, None, after, True) == "exempt"
    # Submitted anyway: it keeps its own status.
    assert report_status(WINDOW, after, after, True) == "late"
    # A week without any workday (Spring Festival 2026) has no report due.
    spring = report_window(date(2026, 2, 16), CAL, ReportSchedule(time(18), time(12)), TZ)
    assert spring is None
    assert report_status(None, None, after, False) == "exempt"


def test_split_items_drops_bullets_and_nothing_lines() -> None:
    text = "1. 东岭村：村道需要硬化\n2、缺少路灯\n\n- 水渠堵塞\n（3）学校围墙\n无\n暂无\n• 其他"
    assert split_items(text) == ["东岭村：村道需要硬化", "缺少路灯", "水渠堵塞", "学校围墙", "其他"]
    assert split_items("无") == []
    assert split_items("") == []
    assert len(split_items("\n".join(f"事项{i}" for i in range(50)))) == 30


def test_find_village_prefers_the_longest_name() -> None:
    names = ["沙河子村", "河子村", "东岭村"]
    assert find_village("沙河子村路灯坏了", names) == "沙河子村"
    assert find_village("东岭村和河子村", names) == "河子村"  # a tie: the first in village order
    assert find_village("镇上的事", names) is None

"""The weekly quota and how it is pro-rated by the days a cadre was available.

Pure: no Telegram, no database, no reading of the current time.

Each cadre owes, per ISO week (Monday-Sunday), a base quota: 3 field-visit days (下乡), 1
dispute screening (矛盾纠纷排查) and 1 practical problem solved (解决实际问题). The quota is
pro-rated by the days the cadre was actually available:

1. *Workdays* of the week are the days the township calendar marks as workdays:
   statutory holidays are removed, 调休 make-up Saturdays/Sundays are included, and
   the deployment's own extra holidays / extra workdays are applied.
2. *Exempt workdays* are the distinct workdays of the week covered by at least one
   approved leave (请假) or official-duty (公务外出) span. Exempt days that fall on
   non-workdays do not count; a day covered by several spans counts once.
3. available = workdays - exempt workdays.
4. For each item with weekly base B (field days 3, screenings 1, problems 1):
   required = round(B x available / base_workdays), never more than B, where
   base_workdays = 5 (a normal week) and ``round`` is the configured rounding:
   ``half_up`` (default; a fraction of exactly .5 rounds up), ``ceil``, ``floor``,
   or ``none`` (no pro-rating: required = B).
5. If available = 0 (no workday in the week, or every workday exempt) every item
   requires 0 and the week is fully exempt, whatever the rounding.

Examples with the default half_up rounding (field days, screenings):
5 available -> 3, 1; 4 -> 2.4 -> 2, 0.8 -> 1; 3 -> 1.8 -> 2, 0.6 -> 1;
2 -> 1.2 -> 1, 0.4 -> 0; 1 -> 0.6 -> 1, 0.2 -> 0; 0 -> 0, 0.
A week with 6 workdays (调休 Saturday) still requires at most 3 field days.

Field days: a field day is a date of the week with at least one visit log, on any day of
the week, weekends, holidays and exempt days included. Screenings and problems are summed
over all visit logs of the week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from math import ceil, floor
from typing import Literal, NamedTuple, get_args

from bot.core.calendar import WorkCalendar
from bot.week.weeks import week_of

__all__ = [
    "ExemptDay",
    "ExemptKind",
    "ExemptSpan",
    "Quota",
    "QuotaRule",
    "Rounding",
    "exempt_workdays",
    "prorate",
    "required_quota",
]

Rounding = Literal["half_up", "ceil", "floor", "none"]
ExemptKind = Literal["leave", "official_duty"]

_ROUNDINGS: tuple[str, ...] = get_args(Rounding)
_EXEMPT_KINDS: tuple[str, ...] = get_args(ExemptKind)
# When spans of both kinds cover the same day, the day is reported with this kind.
_KIND_PRECEDENCE: dict[str, int] = {"official_duty": 0, "leave": 1}


def reject_datetime(value: date, name: str) -> None:
    if isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not a datetime")


class Quota(NamedTuple):
    """A count per weekly item (required, done, or still missing)."""

    field_days: int = 0
    dispute_screenings: int = 0
    problems_solved: int = 0

    def shortfall_against(self, done: Quota) -> Quota:
        """How much of ``self`` (a requirement) ``done`` still lacks, per item (>= 0)."""
        return Quota(
            field_days=max(0, self.field_days - done.field_days),
            dispute_screenings=max(0, self.dispute_screenings - done.dispute_screenings),
            problems_solved=max(0, self.problems_solved - done.problems_solved),
        )

    @property
    def is_zero(self) -> bool:
        return self.field_days == 0 and self.dispute_screenings == 0 and self.problems_solved == 0


@dataclass(frozen=True, slots=True)
class QuotaRule:
    """Weekly quota and how it is pro-rated (see the module docstring)."""

    field_days: int = 3
    dispute_screenings: int = 1
    problems_solved: int = 1
    base_workdays: int = 5
    rounding: Rounding = "half_up"

    def __post_init__(self) -> None:
        for name in ("field_days", "dispute_screenings", "problems_solved"):
            if getattr(self, name) < 0:
                raise ValueError(f"QuotaRule.{name} must be >= 0")
        if self.base_workdays <= 0:
            raise ValueError("QuotaRule.base_workdays must be > 0")
        if self.rounding not in _ROUNDINGS:
            raise ValueError(f"QuotaRule.rounding must be one of {_ROUNDINGS}")

    @property
    def base(self) -> Quota:
        """The full (un-pro-rated) weekly quota."""
        return Quota(self.field_days, self.dispute_screenings, self.problems_solved)


def prorate(base: int, available: int, base_workdays: int, rounding: Rounding) -> int:
    """``base`` scaled by ``available / base_workdays`` and rounded; 0..base (exact maths)."""
    if available <= 0 or base <= 0:
        return 0
    if rounding == "none":
        return base
    exact = Fraction(base * available, base_workdays)
    if rounding == "half_up":
        value = floor(exact + Fraction(1, 2))
    elif rounding == "ceil":
        value = ceil(exact)
    elif rounding == "floor":
        value = floor(exact)
    else:
        raise ValueError(f"unknown rounding {rounding!r}")
    return min(base, value)


@lru_cache(maxsize=1024)  # pure; the lists of a county ask it for every cadre and week
def required_quota(rule: QuotaRule, workdays: int, exempt_workdays: int) -> Quota:
    """Required quota for a week with ``workdays`` workdays, ``exempt_workdays`` of them exempt.

    ``exempt_workdays`` larger than ``workdays`` is treated as all workdays exempt.
    """
    if workdays < 0 or exempt_workdays < 0:
        raise ValueError("workdays and exempt_workdays must be >= 0")
    available = max(0, workdays - exempt_workdays)
    return Quota(
        field_days=prorate(rule.field_days, available, rule.base_workdays, rule.rounding),
        dispute_screenings=prorate(
            rule.dispute_screenings, available, rule.base_workdays, rule.rounding
        ),
        problems_solved=prorate(rule.problems_solved, available, rule.base_workdays, rule.rounding),
    )


@dataclass(frozen=True, slots=True)
class ExemptSpan:
    """An approved leave / official-duty span, both ends inclusive (the caller filters)."""

    start: date
    end: date
    kind: ExemptKind
    reason: str = ""

    def __post_init__(self) -> None:
        reject_datetime(self.start, "start")
        reject_datetime(self.end, "end")
        if self.end < self.start:
            raise ValueError("ExemptSpan.end must not be before start")
        if self.kind not in _EXEMPT_KINDS:
            raise ValueError(f"ExemptSpan.kind must be one of {_EXEMPT_KINDS}")

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies inside the span."""
        return self.start <= d <= self.end


class ExemptDay(NamedTuple):
    """A workday of the week covered by an approved span."""

    day: date
    kind: ExemptKind


def exempt_workdays(
    week_start: date, exemptions: Iterable[ExemptSpan], calendar: WorkCalendar
) -> list[ExemptDay]:
    """Workdays of the week covered by any span, ascending, one entry per day."""
    spans = list(exemptions)
    result: list[ExemptDay] = []
    for day in calendar.workdays_in_week(week_of(week_start)):
        kinds = [s.kind for s in spans if s.covers(day)]
        if kinds:
            result.append(ExemptDay(day, min(kinds, key=_KIND_PRECEDENCE.__getitem__)))
    return result

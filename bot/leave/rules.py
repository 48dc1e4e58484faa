"""The rules of leave and official duty (请假 / 公务外出): which days one request may cover,
what a reason may be, and who may take a request back and how. Pure: no Telegram, no
database, no clock (every "today" is a parameter)."""

from __future__ import annotations

import enum
from datetime import date, timedelta

from bot.core.text import clean_line

REASON_MAX = 200  # the column's length
MAX_DAYS = 60  # longest span one request may cover
PAST_DAYS = 30  # how far back a span may start (official duty recorded afterwards)
AHEAD_DAYS = 120  # how far ahead a span may end
CADRE_PAGE = 30  # cadres per page of the secretary's picker (Telegram allows 100 buttons)
LIST_MAX = 20  # approved requests listed at once for a secretary (the soonest first)


class Kind(enum.StrEnum):
    LEAVE = "leave"
    DUTY = "official_duty"


class SpanProblem(enum.Enum):
    TOO_EARLY = enum.auto()
    TOO_LATE = enum.auto()
    TOO_LONG = enum.auto()


def span_problem(start: date, end: date, today: date) -> SpanProblem | None:
    """Why [start, end] cannot be asked for on `today`, or None (overlaps are the
    database's to tell)."""
    if start < today - timedelta(days=PAST_DAYS):
        return SpanProblem.TOO_EARLY
    if end > today + timedelta(days=AHEAD_DAYS):
        return SpanProblem.TOO_LATE
    if (end - start).days + 1 > MAX_DAYS:
        return SpanProblem.TOO_LONG
    return None


def earliest_day(today: date) -> date:
    return today - timedelta(days=PAST_DAYS)


def latest_day(today: date) -> date:
    return today + timedelta(days=AHEAD_DAYS)


def clean_reason(typed: str) -> str:
    """A reason as stored: one line, no control characters, no surrounding space."""
    return clean_line(typed)


def withdrawable(status: str, end: date, today: date, *, own: bool) -> bool:
    """Whether a request can still be taken back: by its cadre while pending or approved,
    by a secretary once approved (a pending one they reject with the buttons under it);
    never once it is over."""
    allowed = ("pending", "approved") if own else ("approved",)
    return status in allowed and end >= today


class Withdrawal(enum.Enum):
    """What taking a request back does: an approved one under way ends yesterday (the days
    already taken stay exempt); any other is withdrawn whole."""

    WITHDRAW = enum.auto()
    END_EARLY = enum.auto()


def withdrawal(status: str, start: date, today: date) -> Withdrawal:
    return Withdrawal.END_EARLY if status == "approved" and start < today else Withdrawal.WITHDRAW

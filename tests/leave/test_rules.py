"""The pure rules of leave: the window of days, and taking a request back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.leave.rules import (
    AHEAD_DAYS,
    MAX_DAYS,
    PAST_DAYS,
    SpanProblem,
    Withdrawal,
    clean_reason,
    span_problem,
    withdrawable,
    withdrawal,
)

TODAY = date(2026, 11, 23)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (days(-PAST_DAYS), days(-PAST_DAYS), None),
        (days(-PAST_DAYS - 1), days(0), SpanProblem.TOO_EARLY),
        (days(AHEAD_DAYS), days(AHEAD_DAYS), None),
        (days(1), days(AHEAD_DAYS + 1), SpanProblem.TOO_LATE),
        (days(1), days(MAX_DAYS), None),
        (days(1), days(MAX_DAYS + 1), SpanProblem.TOO_LONG),
        (date(1, 1, 1), date(9999, 12, 31), SpanProblem.TOO_EARLY),
    ],
)
def test_the_window_of_days(start: date, end: date, problem: SpanProblem | None) -> None:
    assert span_problem(start, end, TODAY) == problem


def test_who_may_take_a_request_back_and_how() -> None:
    assert withdrawable("pending", days(0), TODAY, own=True)
    assert not withdrawable("pending", days(5), TODAY, own=False)  # rejected, not withdrawn
    assert withdrawable("approved", days(0), TODAY, own=False)
    assert not withdrawable("approved", days(-1), TODAY, own=True)  # over
    assert not withdrawable("rejected", days(5), TODAY, own=True)
    assert withdrawal("approved", days(-1), TODAY) is Withdrawal.END_EARLY
    assert withdrawal("approved", days(0), TODAY) is Withdrawal.WITHDRAW
    assert withdrawal("pending", days(-3), TODAY) is Withdrawal.WITHDRAW


def test_a_reason_is_one_clean_line() -> None:
    assert clean_reason("  \x07事假\x00 ") == "事假"
    assert clean_reason("\x00\x01") == ""

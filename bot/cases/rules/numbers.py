"""Case numbers: ``SHZ-2026-0058``, the township code, the year and a sequence number."""

from __future__ import annotations

import re
from typing import Final

from bot.cases.rules.vocabulary import CaseRuleError

_PREFIX_RE: Final = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_CASE_NUMBER_RE: Final = re.compile(r"([A-Z][A-Z0-9]{1,9})-([0-9]{4})-([0-9]{4,})")
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2999
#: Sequence numbers stay within the database's integer column.
MAX_SEQ: Final = 999_999_999


def format_case_number(prefix: str, year: int, seq: int) -> str:
    """``("SHZ", 2026, 58) -> "SHZ-2026-0058"`` (seq zero-padded to at least 4 digits)."""
    if not _PREFIX_RE.fullmatch(prefix):
        raise CaseRuleError("invalid_case_prefix", prefix=prefix)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CaseRuleError("invalid_case_year", year=year)
    if not 1 <= seq <= MAX_SEQ:
        raise CaseRuleError("invalid_case_seq", seq=seq)
    return f"{prefix}-{year:04d}-{seq:04d}"


def parse_case_number(text: str) -> tuple[str, int, int] | None:
    """Parse ``"shz-2026-0058 "`` into ``("SHZ", 2026, 58)``; ``None`` if not a case number."""
    match = _CASE_NUMBER_RE.fullmatch(text.strip().upper())
    if match is None:
        return None
    prefix, year_text, seq_text = match.groups()
    digits = seq_text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_SEQ)):
        return None
    year, seq = int(year_text), int(digits)
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= seq <= MAX_SEQ:
        return None
    return prefix, year, seq


def is_valid_case_number(text: str) -> bool:
    return parse_case_number(text) is not None


def case_number_sort_key(number: str) -> tuple[str, int, int, str]:
    """Natural order for case numbers (by prefix, year, seq); unparsable ones sort by text."""
    parsed = parse_case_number(number)
    if parsed is None:
        return (number, 0, 0, number)
    prefix, year, seq = parsed
    return (prefix, year, seq, number)

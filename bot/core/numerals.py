"""Numbers typed in Chinese numerals (三, 十二, 二十七, 一百零五, 两, 二〇二六) as digits, for
the parsers of typed counts and dates. Pure."""

from __future__ import annotations

import re

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_RUN = re.compile("[〇零一二两三四五六七八九十百千]+")


def _value(run: str) -> str | None:
    """A run of numerals as digits; None when it is not a number (百十, 十十)."""
    if not any(c in _UNITS for c in run):
        return "".join(str(_DIGITS[c]) for c in run)  # 二〇二六: digit by digit
    total, current, last_unit = 0, None, 10_000
    for char in run:
        if char in _DIGITS:
            if current is not None and current != 0:
                return None  # two digits in a row beside a unit: 二三十
            current = _DIGITS[char]
            continue
        unit = _UNITS[char]
        if unit >= last_unit:
            return None
        total += (current or 1) * unit
        current, last_unit = None, unit
    return str(total + (current or 0))


def arabic(text: str) -> str:
    """`text` with each run of Chinese numerals that reads as a number written in digits; a
    run that does not read as one stays as it is."""
    return _RUN.sub(lambda m: _value(m[0]) or m[0], text)

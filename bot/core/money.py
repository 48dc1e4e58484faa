"""Amounts of money as an official text writes them: 1200元, 3万元, 1.25万元 in Chinese."""

from __future__ import annotations

from decimal import Decimal

from bot.core.i18n import normalize_language

_WAN = Decimal(10000)
_YI = Decimal(100_000_000)


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 1.20 -> 1.2, 3E+1 -> 30."""
    return format(value.normalize(), "f")


def yuan(value: Decimal, language: str = "zh_CN") -> str:
    """`value` yuan for the reader: in 万元 (亿元) from 10,000 (100,000,000) when exact to
    two decimals, else in 元 (fen only when there are any); in English ¥ with separators."""
    if normalize_language(language) != "zh_CN":
        if value == value.to_integral_value():
            return f"¥{int(value):,}"
        return f"¥{value:,.2f}"
    for unit, name in ((_YI, "亿元"), (_WAN, "万元")):
        if abs(value) >= unit:
            scaled = value / unit
            if scaled == scaled.quantize(Decimal("0.01")):
                return f"{_plain(scaled)}{name}"
    if value == value.to_integral_value():
        return f"{int(value)}元"
    return f"{value.quantize(Decimal('0.01'))}元"

"""What the cadre-week features' views share in how they put text together."""

from __future__ import annotations

from bot.core.text import Html, join_html
from bot.core.turn import Turn


def sentences(turn: Turn, *parts: str) -> Html:
    """Join sentences: Chinese runs them together, English puts a space between."""
    return join_html((p for p in parts if p), "" if turn.lang == "zh_CN" else " ")

"""A dependency-free SVG bar chart (field days per cadre) for the printable monthly list.

matplotlib would add tens of megabytes for one bar chart; an SVG with escaped labels is
enough for a notice board, prints crisply and embeds in the printable page.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 120, 360


def bar_chart_svg(rows: Sequence[tuple[str, int]], title: str, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), largest first; every label is escaped."""
    ordered = sorted(rows, key=lambda r: (-r[1], r[0]))
    top = max((v for _, v in ordered), default=0) or 1
    height = 34 + len(ordered) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + CHART_WIDTH + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(ordered):
        y = 30 + i * (BAR_HEIGHT + GAP)
        bar = round(CHART_WIDTH * max(value, 0) / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" font-size="13" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" fill="#b22222"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 16}" font-size="13">'
            f"{value}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

"""Charts of the weekly discipline, drawn with matplotlib (Agg) in a Chinese font.

What a chart shows is a plain pydantic model (`FieldDaysChart`, `FunnelChart`,
`TrendChart`), built by the features from their figures; `Dashboard` stacks several into
one PNG for the chat (1080 pixels wide, as tall as its charts need), and `chart_svg` draws
one for print. matplotlib is imported only inside the drawing functions, which run in the
child process of `bot.core.worker`, never in the bot.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field

from bot.core.fonts import cjk_font
from bot.core.i18n import gettext_for

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES, DPI = 7.2, 150  # 1080 pixels: a phone's screen width, sharp when zoomed
PRINT_WIDTH_INCHES = 6.6  # within an A4 page's margins
MAX_ROWS = 40  # a chart of more cadres shows those furthest behind

MET, SHORT, PLAIN, LEAVE, QUOTA = "#2e7d32", "#c62828", "#546e7a", "#9e9e9e", "#000000"
ON_TIME, FIELD = "#1565c0", "#2e7d32"


class FieldDaysRow(BaseModel):
    name: str
    done: int
    required: int | None = None  # the quota after leave; None when unknown
    leave_days: int = 0  # workdays on leave or official duty
    away: bool = False  # on leave (or official duty) the whole time

    @property
    def short(self) -> int:
        return 0 if self.required is None or self.away else max(0, self.required - self.done)


class FieldDaysChart(BaseModel):
    kind: Literal["field_days"] = "field_days"
    rows: list[FieldDaysRow]


class FunnelStage(BaseModel):
    label: str
    count: int


class FunnelChart(BaseModel):
    kind: Literal["funnel"] = "funnel"
    stages: list[FunnelStage]
    note: str = ""


class TrendPoint(BaseModel):
    label: str
    on_time: float | None = None  # share of the reports due that came on time, 0..1
    field: float | None = None  # share of the cadre-weeks that met the field-day quota


class TrendChart(BaseModel):
    kind: Literal["trend"] = "trend"
    points: list[TrendPoint]


Chart = Annotated[FieldDaysChart | FunnelChart | TrendChart, Field(discriminator="kind")]


class Dashboard(BaseModel):
    """Several charts in one picture, under a title (the township and the period)."""

    title: str
    language: str = "zh_CN"
    charts: list[Chart]


# --- sizes (in pixels at DPI, so that the PNG has exactly the size computed here) -----------

WIDTH = round(WIDTH_INCHES * DPI)
TITLE_HEIGHT = 80


def chart_pixels(chart: Chart) -> int:
    """The height a chart needs."""
    if isinstance(chart, FieldDaysChart):
        return 260 + 54 * max(1, min(len(chart.rows), MAX_ROWS))
    if isinstance(chart, FunnelChart):
        return 130 + 64 * max(1, len(chart.stages))
    return 420


def dashboard_pixels(dashboard: Dashboard) -> tuple[int, int]:
    """The PNG's width and height."""
    return WIDTH, TITLE_HEIGHT + sum(chart_pixels(c) for c in dashboard.charts)


# --- drawing -------------------------------------------------------------------------------

Gettext = Callable[[str], str]


def text_for(language: str) -> Gettext:
    """Translations as plain text: a chart draws characters, it does not read HTML."""
    gettext = gettext_for(language)
    return lambda message: str(gettext(message))


def _figure(width: float, height: float) -> Figure:
    from matplotlib import font_manager, rcParams
    from matplotlib.figure import Figure

    font = cjk_font()
    font_manager.fontManager.addfont(str(font.path))
    rcParams["font.family"] = [font.family]
    rcParams["axes.unicode_minus"] = False
    rcParams["text.parse_math"] = False  # a "$" in a name is a dollar sign
    rcParams["svg.fonttype"] = "path"  # the SVG shows the same glyphs without the font
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _ordered(rows: Sequence[FieldDaysRow]) -> list[FieldDaysRow]:
    """Furthest behind first, then by name."""
    return sorted(rows, key=lambda r: (r.away, -r.short, r.done, r.name))


def _draw_field_days(ax: Axes, chart: FieldDaysChart, _: Gettext) -> None:
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    rows = _ordered(chart.rows)
    hidden = len(rows) - MAX_ROWS if len(rows) > MAX_ROWS else 0
    rows = rows[:MAX_ROWS]
    title = _("Field days per cadre against the quota (days)")
    if hidden:
        title += _(" ({n} more not shown, furthest behind first)").format(n=hidden)
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    if not rows:
        ax.text(0.5, 0.5, _("No cadres to show."), ha="center", va="center", fontsize=10)
        ax.set_axis_off()
        return
    top = max(
        [1, *(max(r.done, r.required or 0, r.leave_days) for r in rows)],
    )
    ys = list(range(len(rows)))
    for y, row in zip(ys, rows, strict=True):
        if row.away:
            ax.barh(y, top, height=0.62, color="none", edgecolor=LEAVE, hatch="///", lw=0)
            ax.text(top * 0.02, y, _("away all period"), va="center", fontsize=8.5, color="#424242")
            continue
        color = PLAIN if row.required is None else (SHORT if row.short else MET)
        ax.barh(y - 0.08, row.done, height=0.5, color=color)
        if row.leave_days:
            ax.barh(
                y + 0.3, row.leave_days, height=0.16, color="none", edgecolor=LEAVE, hatch="////"
            )
        if row.required is not None:
            ax.plot([row.required, row.required], [y - 0.36, y + 0.2], color=QUOTA, lw=2)
        label = str(row.done) if row.required is None else f"{row.done}/{row.required}"
        if row.leave_days:
            label += _(" · leave {n} d").format(n=row.leave_days)
        ax.text(
            max(row.done, row.required or 0) + top * 0.015, y - 0.08, label, va="center", fontsize=8
        )
    ax.set_yticks(ys, [r.name for r in rows], fontsize=9)
    ax.set_ylim(len(rows) - 0.5, -0.6)
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    legend: list[Artist] = [
        Patch(color=MET, label=_("quota met")),
        Patch(color=SHORT, label=_("below quota")),
    ]
    if any(r.required is None and not r.away for r in rows):
        legend = [Patch(color=PLAIN, label=_("field days"))]

    if any(r.required is not None for r in rows):
        legend.append(Line2D([], [], color=QUOTA, lw=2, label=_("quota (after leave)")))
    if any(r.leave_days or r.away for r in rows):
        legend.append(Patch(facecolor="none", edgecolor=LEAVE, hatch="////", label=_("leave")))
    ax.legend(
        handles=legend,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        fontsize=8,
        frameon=False,
        ncols=len(legend),
    )


def _draw_funnel(ax: Axes, chart: FunnelChart, _: Gettext) -> None:
    ax.set_title(
        _("Disputes: from screening to the follow-up visit"),
        loc="left",
        fontsize=11,
        fontweight="bold",
    )
    stages = chart.stages
    top = max([1, *(s.count for s in stages)])
    for y, stage in enumerate(stages):
        width = max(stage.count, top * 0.004)
        shade = 0.35 + 0.5 * y / max(1, len(stages) - 1)
        ax.barh(y, width, left=-width / 2, height=0.7, color=(0.69 * shade, 0.13, 0.13, 0.9))
        ax.text(-top / 2 - top * 0.03, y, stage.label, ha="right", va="center", fontsize=9.5)
        ax.text(top / 2 + top * 0.03, y, str(stage.count), ha="left", va="center", fontsize=10)
    ax.set_xlim(-top * 1.05, top * 0.8)
    ax.set_ylim(len(stages) - 0.5, -0.5)
    ax.set_axis_off()
    if chart.note:
        ax.text(0, -0.02, chart.note, transform=ax.transAxes, fontsize=7.5, color="#555555")


def _draw_trend(ax: Axes, chart: TrendChart, _: Gettext) -> None:
    ax.set_title(_("The last weeks"), loc="left", fontsize=11, fontweight="bold")
    xs = list(range(len(chart.points)))

    def series(values: list[float | None]) -> list[float]:
        return [math.nan if v is None else 100 * v for v in values]

    ax.plot(
        xs,
        series([p.on_time for p in chart.points]),
        marker="o",
        color=ON_TIME,
        label=_("reports on time"),
    )
    ax.plot(
        xs,
        series([p.field for p in chart.points]),
        marker="s",
        color=FIELD,
        label=_("field-day quota met"),
    )
    ax.set_xticks(xs, [p.label for p in chart.points], fontsize=8)
    ax.set_ylim(-5, 109)
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
    ax.grid(axis="y", color="#e0e0e0")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncols=2)


def _draw(ax: Axes, chart: Chart, _: Gettext) -> None:
    if isinstance(chart, FieldDaysChart):
        _draw_field_days(ax, chart, _)
    elif isinstance(chart, FunnelChart):
        _draw_funnel(ax, chart, _)
    else:
        _draw_trend(ax, chart, _)


def _save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else {})
    return buffer.getvalue()


def dashboard_png(dashboard: Dashboard) -> bytes:
    """The charts one under another in one PNG of `dashboard_pixels(dashboard)`."""
    _ = text_for(dashboard.language)
    width, height = dashboard_pixels(dashboard)
    figure = _figure(width / DPI, height / DPI)
    figure.suptitle(dashboard.title, fontsize=13, fontweight="bold", x=0.02, ha="left")
    ratios = [chart_pixels(c) for c in dashboard.charts]
    axes = figure.subplots(len(ratios), 1, gridspec_kw={"height_ratios": ratios}, squeeze=False)
    for ax, chart in zip(axes[:, 0], dashboard.charts, strict=True):
        _draw(ax, chart, _)
    return _save(figure, "png")


def chart_svg(chart: Chart, language: str) -> bytes:
    """One chart for print, as SVG with its text drawn as outlines."""
    figure = _figure(PRINT_WIDTH_INCHES, chart_pixels(chart) / DPI)
    _draw(figure.subplots(), chart, text_for(language))
    return _save(figure, "svg")


__all__ = [
    "Chart",
    "Dashboard",
    "FieldDaysChart",
    "FieldDaysRow",
    "FunnelChart",
    "FunnelStage",
    "TrendChart",
    "TrendPoint",
    "chart_svg",
    "dashboard_pixels",
    "dashboard_png",
    "text_for",
]

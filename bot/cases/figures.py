"""/disputes: a township's dispute figures for this week, month or year, each with its
definition, by category and by village, and each drilled down to its cases (numbers and
villages, never a party)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from bot.cases import facts as case_facts
from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.access import FIGURE_VIEWERS
from bot.cases.buttons import BUTTONS, Act
from bot.cases.lists import PAGE, nav_row
from bot.cases.township import Purpose, opens, township_seen, view_of
from bot.cases.views import BACK_TO_FIGURES, Screen, View, groups_title, pairs
from bot.core.db.directory import TownshipInfo
from bot.core.flows import BadPress, Press
from bot.core.i18n import N_, normalize_language
from bot.core.render import PUNCTUATION, format_span
from bot.core.turn import Button, MemberTurn, page_of


class Period(enum.StrEnum):
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"


# What may follow /disputes.
PERIOD_NAMES = {
    Period.WEEK: ("week", "周", "本周"),
    Period.MONTH: ("month", "月", "本月"),
    Period.YEAR: ("year", "年", "今年", "本年"),
}
PERIOD_LABELS = {
    Period.WEEK: N_("This week"),
    Period.MONTH: N_("This month"),
    Period.YEAR: N_("This year"),
}
PURPOSES = {Period.WEEK: Purpose.WEEK, Period.MONTH: Purpose.MONTH, Period.YEAR: Purpose.YEAR}

# Figure code -> (stat key, label, definition). Definitions are shown with every figure.
FIGURES: dict[str, tuple[str, str, str]] = {
    "sc": (
        "screened",
        N_("Screened (排查)"),
        N_("dispute screenings recorded in visit logs in the period"),
    ),
    "fs": (
        "found_by_screening",
        N_("Found by screening (排查发现)"),
        N_(
            "cases registered in the period whose source is 排查发现 (screening visits are "
            "counted here until visit logs are in use)"
        ),
    ),
    "rg": ("registered", N_("Registered cases"), N_("cases registered in the period")),
    "rs": (
        "resolved",
        N_("Resolved"),
        N_("of those, agreement reached AND follow-up visit (回访) recorded"),
    ),
    "pf": (
        "resolved_pending_followup",
        N_("Awaiting 回访"),
        N_("agreement reached, follow-up visit not yet recorded (not counted as resolved)"),
    ),
    "ip": ("in_progress", N_("In progress"), N_("registered or under mediation")),
    "un": (
        "unresolved",
        N_("Not resolved"),
        N_("mediation failed, not yet referred or escalated"),
    ),
    "rf": ("referred", N_("Referred"), N_("currently with a 政法 unit")),
    "es": ("escalated", N_("Escalated"), N_("currently with the secretary")),
    "od": (
        "overdue",
        N_("Overdue"),
        N_("registered in the period, still with the township and past the deadline"),
    ),
    "ot": (
        "overdue_total",
        N_("Overdue backlog"),
        N_("all cases overdue today, whenever registered"),
    ),
    "sr": (
        "success_rate",
        N_("Success rate"),
        N_(
            "resolved ÷ decided; decided = resolved + not resolved + referred + escalated + "
            "overdue in progress; cases within their deadline or awaiting 回访 are not "
            "counted yet"
        ),
    ),
    "dc": (
        "decided",
        N_("Decided"),
        N_(
            "the success rate's denominator: closed, not resolved, referred, escalated, or "
            "in progress past the deadline"
        ),
    ),
    "ci": (
        "closed_in_period",
        N_("Closed in the period"),
        N_("cases closed by a follow-up visit in the period, whenever registered"),
    ),
}
SHOWN_FIGURES = ("rg", "rs", "pf", "ip", "un", "rf", "es", "od", "ot", "sr", "ci")


def figure_of(stats: rules.DisputeStats | rules.GroupStats, code: str) -> rules.Figure:
    key = FIGURES[code][0]
    if key in {"success_rate", "decided"}:
        return stats.success_rate.denominator
    value = getattr(stats, key)
    assert isinstance(value, rules.Figure)
    return value


def percent(rate: rules.RateFigure) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


def period_of(arg: str | None) -> Period | None:
    """The period a /disputes argument names (this year without one); None if it names none."""
    if not arg:
        return Period.YEAR
    arg = arg.strip().lower()
    return next((p for p, names in PERIOD_NAMES.items() if arg in names), None)


def period_bounds(period: Period, today: date) -> tuple[date, date]:
    if period is Period.WEEK:
        return today - timedelta(days=today.weekday()), today
    if period is Period.MONTH:
        return today.replace(day=1), today
    return today.replace(month=1, day=1), today


async def load_stats(
    turn: MemberTurn, township: TownshipInfo, period: Period
) -> tuple[View, rules.DisputeStats]:
    view = view_of(turn, township)
    start, end = period_bounds(period, view.today)
    async with turn.svc.transaction() as session:
        stats = await case_facts.dispute_figures(session, township.id, start, end, view.today)
    return view, stats


@opens(*PURPOSES.values())
async def first_figures(turn: MemberTurn, township: TownshipInfo, purpose: Purpose) -> list[Screen]:
    period = next(p for p, wanted in PURPOSES.items() if wanted is purpose)
    return [await figures_screen(turn, township, period)]


def aside(turn: MemberTurn, inner: object) -> str:
    """`inner` in parentheses, full-width in Chinese: 邻里纠纷（3）, 40.0%（2/5）."""
    mark = PUNCTUATION[normalize_language(turn.lang)]
    return f"{mark.opening}{inner}{mark.closing}"


async def figures_screen(turn: MemberTurn, township: TownshipInfo, period: Period) -> Screen:
    _ = turn._
    view, stats = await load_stats(turn, township, period)
    figures = []
    buttons: list[Button] = []
    for code in ("sc", "fs", *SHOWN_FIGURES):
        _key, label, definition = FIGURES[code]
        short = ""  # the figure on its drill-down button, when it differs from the value
        if code == "sc":
            value = str(stats.screened.count)
        elif code == "sr":
            rate = stats.success_rate
            short = percent(rate)
            value = short + aside(turn, f"{rate.numerator.count}/{rate.denominator.count}")
        else:
            value = str(figure_of(stats, code).count)
        figures.append({"label": _(label), "value": value, "definition": _(definition)})
        if code != "sc":
            target = "dc" if code == "sr" else code
            buttons.append(
                BUTTONS.button(
                    turn,
                    f"🔎 {_(label)} {short or value}",
                    Act.DRILL,
                    township.id,
                    period,
                    target,
                    "-",
                    0,
                )
            )
    text = turn.svc.renderer.render(
        "cases/disputes.html.j2",
        turn.lang,
        township=township.name,
        span=format_span(stats.period_start, stats.period_end, view.lang),
        figures=figures,
        breakdowns=[
            (_("By category"), group_lines(stats.by_category, view.category)),
            (_("By village"), group_lines(stats.by_village, str)),
        ],
    )
    rows = pairs(buttons)
    rows.append(
        [
            BUTTONS.button(turn, _("📂 By category"), Act.GROUPS, township.id, period, "c"),
            BUTTONS.button(turn, _("🏘 By village"), Act.GROUPS, township.id, period, "v"),
        ]
    )
    rows.append(
        [
            BUTTONS.button(
                turn, ("• " if p is period else "") + _(label), Act.FIGURES, township.id, p
            )
            for p, label in PERIOD_LABELS.items()
        ]
    )
    return Screen(text, rows)


def group_lines(
    groups: Mapping[str, rules.GroupStats], name_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    return [
        {
            "name": name_of(key),
            "registered": g.registered.count,
            "resolved": g.resolved.count,
            "overdue": g.overdue.count,
            "rate": percent(g.success_rate),
        }
        for key, g in groups.items()
    ]


async def _township(turn: MemberTurn, press: Press) -> tuple[TownshipInfo, Period] | None:
    period = Period(press.choice(1, list(Period)))
    township = await township_seen(turn, press.number(0), FIGURE_VIEWERS)
    return None if township is None else (township, period)


@BUTTONS.on(Act.FIGURES)
async def figures(turn: MemberTurn, press: Press) -> None:
    found = await _township(turn, press)
    if found is None:
        return
    await turn.answer()
    screen = await figures_screen(turn, *found)
    await turn.show(screen.text, screen.rows)


@BUTTONS.on(Act.GROUPS)
async def groups(turn: MemberTurn, press: Press) -> None:
    by_category = press.choice(2, ("c", "v")) == "c"
    found = await _township(turn, press)
    if found is None:
        return
    township, period = found
    await turn.answer()
    _ = turn._
    view, stats = await load_stats(turn, township, period)
    buttons: list[Button] = []
    if by_category:
        index = {t.key: i for i, t in enumerate(view.config.categories)}
        for key, g in stats.by_category.items():
            if key in index:
                label = view.category(key) + aside(turn, g.registered.count)
                group = f"c{index[key]}"
                buttons.append(
                    BUTTONS.button(turn, label, Act.DRILL, township.id, period, "rg", group, 0)
                )
    else:
        ids = {v.name: v.id for v in turn.svc.directory.villages_of(township.id)}
        for name, g in stats.by_village.items():
            if name in ids:
                label = name + aside(turn, g.registered.count)
                group = f"v{ids[name]}"
                buttons.append(
                    BUTTONS.button(turn, label, Act.DRILL, township.id, period, "rg", group, 0)
                )
    rows = pairs(buttons)
    rows.append([BUTTONS.button(turn, _(BACK_TO_FIGURES), Act.FIGURES, township.id, period)])
    await turn.show(groups_title(_, by_category, not buttons), rows)


def group_of(
    turn: MemberTurn, township: TownshipInfo, view: View, stats: rules.DisputeStats, group: str
) -> tuple[str, rules.DisputeStats | rules.GroupStats]:
    """The group a drill-down button names (`c<category index>`, `v<village id>`, or `-` for
    all), with its figures."""
    if group == "-":
        return "", stats
    kind, number = group[:1], group[1:]
    if kind not in ("c", "v") or not number.isdigit() or len(number) > 9:
        raise BadPress(3)
    empty = rules.dispute_stats([], stats.period_start, stats.period_end, stats.today).totals
    if kind == "c":
        categories = view.config.categories
        if int(number) >= len(categories):
            raise BadPress(3)
        key = categories[int(number)].key
        return view.category(key), stats.by_category.get(key) or empty
    village = turn.svc.directory.village(int(number))
    name = village.name if village is not None and village.township_id == township.id else ""
    return name, stats.by_village.get(name) or empty


@BUTTONS.on(Act.DRILL)
async def drill(turn: MemberTurn, press: Press) -> None:
    code = press.choice(2, [c for c in FIGURES if c != "sc"])
    group, page = press.arg(3), press.number(4)
    found = await _township(turn, press)
    if found is None:
        return
    township, period = found
    view, stats = await load_stats(turn, township, period)
    group_name, source = group_of(turn, township, view, stats, group)
    await turn.answer()
    _ = turn._
    figure = figure_of(source, code)
    async with turn.svc.transaction() as session:
        cases = await case_db.case_summaries(session, township.id, numbers=figure.case_numbers)
    order = {n: i for i, n in enumerate(figure.case_numbers)}
    cases.sort(key=lambda c: order.get(c.number, 0))
    shown, page, pages = page_of(cases, page, PAGE)
    _key, label, definition = FIGURES[code]
    text = turn.svc.renderer.render(
        "cases/drill.html.j2",
        turn.lang,
        label=_(label),
        group=group_name,
        total=figure.count,
        definition=_(definition),
        span=format_span(stats.period_start, stats.period_end, view.lang),
        cases=[view.line(c) for c in shown],
        offset=page * PAGE,
        page=page + 1,
        pages=pages,
    )
    rows = pairs([BUTTONS.button(turn, view.case_button(c), Act.CARD, c.id) for c in shown])
    rows.append(nav_row(turn, page, pages, Act.DRILL, township.id, period, code, group))
    rows.append([BUTTONS.button(turn, _(BACK_TO_FIGURES), Act.FIGURES, township.id, period)])
    await turn.show(text, rows)

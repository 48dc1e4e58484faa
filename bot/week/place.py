"""Shared by the cadre-week handlers (/visit, /me, /report, /leave): which township a cadre
acts in, its week rules, and how dates, times and durations are shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.i18n import Gettext
from bot.core.render import format_date, format_datetime
from bot.core.roles import Role
from bot.core.text import Html
from bot.core.townships import township_for
from bot.core.turn import MemberTurn, Turn
from bot.week.schedule import WeekRules, week_rules

STALE = "This button is from an old message and no longer works."


@dataclass(frozen=True)
class Place:
    """The township a cadre logs visits and reports in, with its rules."""

    township_id: int
    code: str
    name: str
    rules: WeekRules


def place_of(turn: Turn, township_id: int) -> Place | None:
    """The township `township_id` with its rules, when the actor holds a role there (or is
    an admin): for a flow or a button that already names its township."""
    actor = turn.actor
    if actor is None or not actor.can_see_township(township_id):
        return None
    township = turn.svc.directory.township(township_id)
    if township is None:
        return None
    return Place(
        township.id, township.code, township.name, week_rules(turn.svc.settings, township.code)
    )


async def cadre_place(turn: MemberTurn, command: str) -> Place | None:
    """The township a cadre's command acts in: their only one, or the one chosen for this
    chat (asked for once when they are a cadre of several; `command` runs again then).
    None after telling them why: not a cadre anywhere, or asked to choose."""
    township_id = await township_for(
        turn, (Role.CADRE,), command, turn._("You are not a cadre of any township.")
    )
    return None if township_id is None else place_of(turn, township_id)


def day_label(turn: Turn, day: date, weekday: bool = True) -> str:
    return format_date(day, turn.lang, weekday)


def moment_label(turn: Turn, moment: datetime, rules: WeekRules) -> str:
    return format_datetime(moment, rules.tz, turn.lang)


def duration_label(_: Gettext, delta: timedelta) -> Html:
    """ "2 days 3 hours", "3 hours 20 minutes", "20 minutes" (rounded down to minutes)."""
    minutes = max(0, int(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=mins)
    return _("{minutes} min").format(minutes=mins)


def distance_label(_: Gettext, metres: float) -> Html:
    if metres < 1000:
        return _("{m} m").format(m=round(metres))
    return _("{km} km").format(km=f"{metres / 1000:.1f}")


def too_long(_: Gettext, limit: int, count: int) -> Html:
    return _(
        "That is too long: at most {limit} characters are allowed, and yours has {count}. "
        "Please shorten it and send it again."
    ).format(limit=limit, count=count)


def leave_kind_label(_: Gettext, kind: str) -> Html:
    return _("official duty (公务外出)") if kind == "official_duty" else _("leave (请假)")


def report_line(
    turn: Turn,
    place: Place,
    week_start: date,
    status: str,
    submitted_at: datetime | None,
    has_draft: bool = False,
) -> Html:
    """One line on the report of a week: submitted / late / missing / not due / time left."""
    _ = turn._
    window = place.rules.window(week_start)
    if status == "on_time" and submitted_at is not None:
        return _("Report submitted on time ({at}).").format(
            at=moment_label(turn, submitted_at, place.rules)
        )
    if status == "late" and submitted_at is not None:
        return _("Report submitted late ({at}).").format(
            at=moment_label(turn, submitted_at, place.rules)
        )
    if status == "exempt" or window is None:
        return _("No report is due this week.")
    deadline = moment_label(turn, window.deadline, place.rules)
    if status == "missing":
        return _(
            "Report not submitted; the deadline was {deadline}. You can still submit it "
            "(it will be marked late) with /report."
        ).format(deadline=deadline)
    left = duration_label(_, window.time_left(turn.now))
    draft = _(" A draft is saved.") if has_draft else ""
    if turn.now < window.opens_at:
        return (
            _("Report: submission opens {opens}; deadline {deadline} ({left} left).").format(
                opens=moment_label(turn, window.opens_at, place.rules),
                deadline=deadline,
                left=left,
            )
            + draft
        )
    return (
        _("Report not submitted yet: deadline {deadline} ({left} left).").format(
            deadline=deadline, left=left
        )
        + draft
    )

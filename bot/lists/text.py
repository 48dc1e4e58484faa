"""Words for the red and black lists: every reason code as a translated sentence with its exact
facts (weeks, dates, counts, case numbers), and period and list labels.

Plain text: the templates escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from bot.core.i18n import N_, Gettext
from bot.core.render import format_date, format_span, listing
from bot.lists.rules import ParamValue, Reason, ReasonCode

C = ReasonCode

RULE_LABELS = {
    "field_day": N_("per field day"),
    "problem_solved": N_("per problem solved"),
    "screening": N_("per dispute screening"),
    "case_resolved": N_("per case resolved"),
    "late_report": N_("per late report"),
    "missing_report": N_("per missing report"),
    "field_day_short": N_("per field day short of the quota"),
}
LIST_LABELS = {"red": N_("red list"), "black": N_("black list")}
RANK_BY = {
    "person": N_("The scoreboard ranks people."),
    "unit": N_("The scoreboard ranks villages (包村 units)."),
    "both": N_("The scoreboard ranks people and villages (包村 units)."),
}

MESSAGES: dict[str, str] = {
    C.ALL_REPORTS_ON_TIME: N_("All {weeks} due weekly reports were on time"),
    C.NO_REPORT_DUE: N_("No weekly report was due in the {weeks} weeks with data"),
    C.FIELD_QUOTA_MET: N_(
        "Field-day quota met in every one of {weeks} weeks ({days} field days in all)"
    ),
    C.SCREENINGS_QUOTA_MET: N_(
        "Dispute screenings at or above quota: {done} done, {required} required in {weeks} weeks"
    ),
    C.PROBLEMS_QUOTA_MET: N_(
        "Problems solved at or above quota: {done} done, {required} required in {weeks} weeks"
    ),
    C.NO_OVERDUE_CASE: N_("No overdue dispute case"),
    C.REPORT_MISSING: N_("No weekly report for the week {week}"),
    C.REPORT_LATE: N_("Late weekly report for the week {week}"),
    C.SCREENINGS_SHORT: N_("Week {week}: {done} dispute screenings, {required} required"),
    C.PROBLEMS_SHORT: N_("Week {week}: {done} problems solved, {required} required"),
    C.SCREENINGS_SHORT_IN_PERIOD: N_(
        "{done} dispute screenings in {weeks} weeks, {required} required"
    ),
    C.PROBLEMS_SHORT_IN_PERIOD: N_("{done} problems solved in {weeks} weeks, {required} required"),
    C.CASE_OVERDUE: N_(
        "Case {case} is {days} days overdue (the black list starts beyond {limit} days)"
    ),
    C.NO_REPORT_MISSING: N_("No missing weekly report ({weeks} due)"),
    C.NO_CASE_OVERDUE_BEYOND_LIMIT: N_(
        "No case overdue by more than {limit} days ({overdue} overdue within the limit)"
    ),
    C.EXEMPT: N_("Not listed: on leave or official duty (or no workday) in all {weeks} weeks"),
    C.INSUFFICIENT_DATA: N_(
        "Not listed: too little data ({weeks} weeks with data, {required} needed; "
        "{exempt_weeks} exempt weeks)"
    ),
    C.NOT_QUALIFIED: N_(
        "Not listed: {red_blockers} facts keep them off the red list and none puts them "
        "on the black list"
    ),
    C.RED_CAP_EXCEEDED: N_(
        "Not listed: qualified for the red list, but it is capped at {cap} "
        "({points} points, the cut-off was {cutoff_points})"
    ),
    C.BLACK_CAP_EXCEEDED: N_(
        "Not listed: {black_facts} black-list facts, but the black list is capped at {cap}"
    ),
    C.WEEK_EXEMPT: N_("Week {week}: exempt (leave, official duty or no workday), not counted"),
    C.REPORT_NOT_DUE: N_("Week {week}: no weekly report was due"),
    C.PARTIAL_EXEMPTION: N_(
        "Week {week}: {days} exempt workdays, field-day quota reduced to {field_days_required}"
    ),
    C.NO_DATA_FOR_WEEK: N_("Week {week}: no data"),
    C.TIED_AT_CAP: N_("Tied at the cap of {cap} for the {list}: all {listed} tied are listed"),
    C.RULE_RED_REPORTS_ON_TIME: N_("Red list: every weekly report due was on time"),
    C.RULE_RED_FIELD_QUOTA: N_("Red list: the field-day quota was met every week"),
    C.RULE_RED_NO_OVERDUE_CASE: N_("Red list: no overdue dispute case"),
    C.RULE_BLACK_REPORT_MISSING: N_("Black list: a missing weekly report"),
    C.RULE_BLACK_FIELD_DAYS_SHORT: N_("Black list: a week below the field-day quota"),
    C.RULE_BLACK_CASE_OVERDUE: N_("Black list: a dispute case overdue by more than {limit} days"),
    C.RULE_BLACK_WINS: N_("Anyone meeting a black-list rule cannot be on the red list"),
    C.RULE_EXEMPT_WEEKS_IGNORED: N_(
        "Weeks fully on leave or official duty, or without a workday, are not counted"
    ),
    C.RULE_QUOTAS_PRO_RATED: N_(
        "Quotas are reduced in proportion to holidays and days on leave or official duty"
    ),
    C.RULE_MIN_DATA_WEEKS: N_(
        "Nobody is listed with fewer weeks of data than: {week} for a week, {month} for a "
        "month, {quarter} for a quarter"
    ),
    C.RULE_CAP: N_("The {list} names at most {cap} people"),
    C.RULE_TIES_AT_CAP_INCLUDED: N_("Everybody tied at a cap is listed"),
    C.RULE_POINTS_DISABLED: N_("No points scoreboard"),
    C.RULE_POINTS_WEIGHT: N_("Points: {points} {rule}"),
    C.RULE_RANKING_COMPETITION: N_("Equal points share a rank (1, 1, 3) and ties are stated"),
    C.RULE_UNIT_AVERAGE: N_("Villages are ranked by average points per member"),
}

FIELD_SHORT = N_("Week {week}: {done} field days ({dates}), {required} required")
FIELD_SHORT_NONE = N_("Week {week}: no field day, {required} required")
FIELD_SHORT_EXEMPT = N_("{days} exempt workdays already deducted from the quota")
QUOTA_MODE = {
    "weekly": N_("Red list: dispute screenings and problems solved at or above quota every week"),
    "period": N_(
        "Red list: dispute screenings and problems solved at or above quota over the period"
    ),
}


def week_range(week: date, language: str) -> str:
    return format_span(week, week + timedelta(days=6), language)


def _value(key: str, value: ParamValue, _: Gettext, language: str) -> Any:
    if key == "week" and isinstance(value, date):
        return week_range(value, language)
    if isinstance(value, date):
        return format_date(value, language)
    if isinstance(value, tuple):
        # Said inside an aside ("下乡 2 天（11月17日、11月18日）"): without the weekday.
        return listing(language, (format_date(d, language, weekday=False) for d in value))
    if isinstance(value, Fraction):
        return format_fraction(value)
    if key == "list" and isinstance(value, str):
        return _(LIST_LABELS.get(value, value))
    if key == "rule" and isinstance(value, str):
        return _(RULE_LABELS.get(value, value))
    if key == "points" and isinstance(value, int):
        return f"{value:+d}"
    return "" if value is None else value


def format_fraction(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.1f}"


def describe(reason: Reason, _: Gettext, language: str) -> str:
    """One reason as a sentence in the reader's language, with its exact facts."""
    params: Mapping[str, ParamValue] = reason.params
    code = reason.code
    if code == C.FIELD_DAYS_SHORT:
        values = {k: _value(k, v, _, language) for k, v in params.items()}
        text = _(FIELD_SHORT if params.get("dates") else FIELD_SHORT_NONE).format(**values)
        exempt = params.get("exempt_days")
        if isinstance(exempt, int) and exempt > 0:
            text += "；" if language == "zh_CN" else "; "
            text += _(FIELD_SHORT_EXEMPT).format(days=exempt)
        return text
    if code == C.RULE_RED_SCREENINGS_PROBLEMS:
        return _(QUOTA_MODE.get(str(params.get("mode")), QUOTA_MODE["weekly"]))
    if code == C.RULE_RANK_BY:
        return _(RANK_BY.get(str(params.get("rank_by")), RANK_BY["person"]))
    if code == C.NO_CASE_OVERDUE_BEYOND_LIMIT and not params.get("overdue"):
        return _(MESSAGES[C.NO_OVERDUE_CASE])
    template = MESSAGES.get(code)
    if template is None:
        return code
    return _(template).format(**{k: _value(k, v, _, language) for k, v in params.items()})


def period_label(kind: str, key: str, start: date, end: date, _: Gettext, language: str) -> str:
    """ "2026年10月（9月28日–11月1日）" and the like."""
    span = format_span(start, end, language)
    year = key[:4]
    if kind == "week":
        name = _("week {week} of {year}").format(week=int(key[6:]), year=year)
    elif kind == "month":
        name = _("{month}/{year}").format(month=int(key[5:]), year=year)
    else:
        name = _("Q{quarter} {year}").format(quarter=key[6:], year=year)
    return f"{name}（{span}）" if language == "zh_CN" else f"{name} ({span})"


STATUS_LABELS = {
    "preview": N_("preview"),
    "published": N_("published"),
    "superseded": N_("superseded"),
    "open": N_("open"),
    "upheld": N_("upheld"),
    "rejected": N_("rejected"),
}

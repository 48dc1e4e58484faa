"""How configuration is checked and how a problem is told: the validators the settings share,
and one `ConfigError` whose message names the file and the key, so a township IT person
never sees a traceback. Its `str()` is English; `render(language)` gives the same message in
the language of the command line (the messages are gettext ids).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from bot.core.i18n import N_, normalize_language, translations

TOWNSHIP_CODE = r"^[A-Z][A-Z0-9]{1,9}$"
TERM_KEY = r"^[a-z][a-z0-9_]{0,31}$"

TOP_LEVEL = N_("(top level)")


@dataclass(frozen=True)
class ConfigIssue:
    """One invalid key: where it is and what is wrong (an English gettext id and its values)."""

    key: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


class ConfigError(Exception):
    """A configuration problem, already phrased for the person running the bot.

    `message` is an English gettext id formatted with `params`; `issues` lists invalid keys."""

    def __init__(self, message: str, /, issues: Sequence[ConfigIssue] = (), **params: Any) -> None:
        self.message = message
        self.params = params
        self.issues = tuple(issues)
        super().__init__(self.render("en"))

    def render(self, language: str | None = "en") -> str:
        # Plain text (the terminal, the log), not Telegram HTML.
        _ = translations(normalize_language(language)).gettext
        lines = [_format(_(self.message), self.params)]
        for issue in self.issues:
            key = _(issue.key) if issue.key == TOP_LEVEL else issue.key
            problem = _format(_(issue.message), issue.params)
            lines.append(_("  - {key}: {problem}").format(key=key, problem=problem))
        return "\n".join(lines)


def _format(template: str, params: Mapping[str, Any]) -> str:
    # A message without values may contain braces of its own (pydantic's, a file name).
    return template.format(**params) if params else template


# Messages of this module's own validators, by error kind: English gettext ids whose
# {names} come from the error's context (already formatted), translated when shown.
_MESSAGES = {
    "unknown_timezone": N_("unknown time zone {value} (use an IANA name such as Asia/Shanghai)"),
    "not_a_time": N_("{value} is not a time of day like 08:00"),
    "database_url": N_(
        "use sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
    ),
    "lat_lon": N_("give both lat and lon, or neither"),
    "proxy_url": N_(
        "must be a proxy address such as http://127.0.0.1:7890 or socks5://user:password@host:1080"
    ),
    "renew_before_expiry": N_("renew_seconds must be shorter than lease_seconds"),
    "all_active_on_sqlite": N_(
        '[instance] active = "all" needs PostgreSQL; on SQLite one instance is active and '
        'the others stand by (active = "one")'
    ),
    "duplicate_villages": N_("duplicate village names: {names}"),
    "empty_names": N_("{what} must not be empty"),
    "duplicate_names": N_("duplicate {what}: {names}"),
    "holiday_and_workday": N_("dates both in extra_holidays and extra_workdays: {dates}"),
    "local_times": N_("times are local to the township: give them without an offset"),
    "open_before_deadline": N_("open_time must be before deadline_time"),
    "not_a_section": N_("{key} {value} is not one of the sections"),
    "duplicate_terms": N_("duplicate {name} {attr}s: {values}"),
    "duplicate_townships": N_("duplicate township codes: {codes}"),
    "insecure_cookies": N_("secure_cookies may be false only when public_url is http://localhost"),
}
# Constant messages of validators that raise a plain ValueError (translated by their text).
_VALUE_ERRORS = (N_("must start with http:// or https://"),)


def invalid(kind: str, **context: str) -> PydanticCustomError:
    return PydanticCustomError(kind, _MESSAGES[kind], context)


# Every settings model: unknown keys are errors, settings never change once loaded.
STRICT = ConfigDict(extra="forbid", frozen=True)


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("unknown_timezone", value=repr(value)) from exc
    return value


def parse_hhmm(value: str) -> time:
    hours, sep, minutes = value.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(value)
    return time(int(hours), int(minutes))


def _check_hhmm(value: str) -> str:
    try:
        parse_hhmm(value)
    except ValueError:
        raise invalid("not_a_time", value=repr(value)) from None
    return value


HHMM = Annotated[str, AfterValidator(_check_hhmm)]


def unique_names(values: list[str], what: str) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise invalid("empty_names", what=what)
    dupes = sorted({v for v in cleaned if cleaned.count(v) > 1})
    if dupes:
        raise invalid("duplicate_names", what=what, names=", ".join(dupes))
    return cleaned


def _format_location(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """('townships', 0, 'villages', 1, 'lat') -> townships[0] (SHZ).villages[1] (东岭村).lat"""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            try:
                node = node[item]
                name = node.get("code") or node.get("name") if isinstance(node, dict) else None
                if name:
                    label += f" ({name})"
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or TOP_LEVEL


# pydantic's own errors, by type: English gettext ids formatted with the error's context.
_PYDANTIC_MESSAGES = {
    "missing": N_("required key is missing"),
    "extra_forbidden": N_("unknown key (check the spelling against config.example.toml)"),
    "literal_error": N_("must be one of: {expected}"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "string_type": N_("must be text in double quotes"),
    "list_type": N_('must be a list, such as ["a", "b"]'),
    "model_type": N_("must be a table"),
    "model_attributes_type": N_("must be a table"),
    "dict_type": N_("must be a table"),
    "greater_than": N_("must be greater than {gt}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than": N_("must be less than {lt}"),
    "less_than_equal": N_("must be at most {le}"),
    "string_too_short": N_("must be at least {min_length} character(s) long"),
    "string_too_long": N_("must be at most {max_length} characters long"),
    "too_short": N_("must have at least {min_length} item(s)"),
    "too_long": N_("must have at most {max_length} items"),
    "string_pattern_mismatch": N_("does not have the expected form {pattern}"),
}
_PATTERN_MESSAGES = {
    TOWNSHIP_CODE: N_("must be 2–10 capital letters or digits, starting with a letter (like SHZ)"),
    TERM_KEY: N_("must be lowercase letters, digits and _, starting with a letter (at most 32)"),
}
_DATE_MESSAGE = N_("must be a date such as 2027-01-01")
_TIME_MESSAGE = N_("must be a time of day such as 18:00")


def _issue(item: Any, data: dict[str, Any]) -> ConfigIssue:
    key = _format_location(tuple(item["loc"]), data)
    kind: str = item["type"]
    context = {k: str(v) for k, v in (item.get("ctx") or {}).items()}
    if kind in _MESSAGES:
        return ConfigIssue(key, _MESSAGES[kind], context)
    if kind in ("string_too_short", "too_short") and context.get("min_length") == "1":
        return ConfigIssue(key, N_("must not be empty"))
    if kind == "string_pattern_mismatch" and context.get("pattern") in _PATTERN_MESSAGES:
        return ConfigIssue(key, _PATTERN_MESSAGES[context["pattern"]])
    if kind == "literal_error":
        values = re.findall(r"'([^']*)'", context.get("expected", ""))
        context["expected"] = " / ".join(f'"{v}"' for v in values)
    if kind in _PYDANTIC_MESSAGES:
        return ConfigIssue(key, _PYDANTIC_MESSAGES[kind], context)
    if kind.startswith("date_"):
        return ConfigIssue(key, _DATE_MESSAGE)
    if kind.startswith("time_"):
        return ConfigIssue(key, _TIME_MESSAGE)
    # A plain ValueError's text is its own gettext id; anything else stays as pydantic says it.
    return ConfigIssue(key, str(item["msg"]).removeprefix("Value error, "))


def describe(error: ValidationError, source: str, data: dict[str, Any]) -> ConfigError:
    issues = [_issue(item, data) for item in error.errors()]
    return ConfigError(N_("Invalid configuration in {source}:"), issues, source=source)

"""Configuration: a TOML file validated by pydantic, with secrets from the environment.

Every error is turned into one `ConfigError` whose message names the file and the key,
so a township IT person never sees a traceback. Its `str()` is English; `render(language)`
gives the same message in the language of the command line (the messages are gettext ids).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core.i18n import N_, normalize_language, translations

ENV_TOKEN = "TOWNSHIP_BOT_TOKEN"
ENV_DATABASE_URL = "TOWNSHIP_BOT_DATABASE_URL"
ENV_CONFIG = "TOWNSHIP_BOT_CONFIG"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/township.db"
LANGUAGES = ("zh_CN", "en")
TOWNSHIP_CODE = r"^[A-Z][A-Z0-9]{1,9}$"
TERM_KEY = r"^[a-z][a-z0-9_]{0,31}$"

Language = Literal["zh_CN", "en"]


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


def _invalid(kind: str, **context: str) -> PydanticCustomError:
    return PydanticCustomError(kind, _MESSAGES[kind], context)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _invalid("unknown_timezone", value=repr(value)) from exc
    return value


class WebhookConfig(_Strict):
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    url_path: str = "telegram"
    public_url: str = ""
    secret_token: str = ""


class FloodLimitConfig(_Strict):
    """Telegram's documented limits; the bot's rate limiter keeps under them."""

    messages_per_second: float = Field(30, gt=0)
    group_messages_per_minute: float = Field(20, gt=0)


class TelegramConfig(_Strict):
    token: str = ""
    bot_username: str = ""
    api_base_url: str = "https://api.telegram.org"
    # Every Bot API call goes through this proxy when set: http://host:port or
    # socks5://user:password@host:port. Kept out of repr: it may hold a password.
    proxy: str | None = Field(None, repr=False)
    mode: Literal["polling", "webhook"] = "polling"
    admin_chat_id: int | None = None
    # How long one Bot API request may take (connect, send, answer) before it counts as
    # failed; failed requests are retried (bot/core/telegram_request.py).
    request_timeout_seconds: float = Field(5.0, gt=0, le=120)
    # The Bot API's HTTP client: aiohttp (less CPU per call) or httpx (PTB's own).
    http_client: Literal["aiohttp", "httpx"] = "aiohttp"
    webhook: WebhookConfig = WebhookConfig()
    flood_limits: FloodLimitConfig = FloodLimitConfig()

    @field_validator("api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        # The message never repeats the value: it may hold the proxy's password.
        value = (value or "").strip().rstrip("/")
        if not value:
            return None
        parts = urlsplit(value)
        try:
            port = parts.port
        except ValueError:
            port = None
        if (
            parts.scheme not in ("http", "https", "socks5", "socks5h")
            or not parts.hostname
            or port is None
            or parts.path
            or parts.query
            or parts.fragment
        ):
            raise _invalid("proxy_url")
        return value

    @property
    def base_url(self) -> str:
        return f"{self.api_base_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_base_url}/file/bot"


class RobotConfig(_Strict):
    """A township's existing WeCom (企业微信) or DingTalk group robot: the web channel nudges a
    member away from the page through it (a fixed short text, never what the message says)."""

    township: Annotated[str, Field(pattern=TOWNSHIP_CODE)]
    kind: Literal["wecom", "dingtalk"]
    # The robot's webhook address; it holds the robot's key, so it is kept out of repr.
    url: str = Field(repr=False)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class ChannelConfig(_Strict):
    """Where members talk to the bot: Telegram, or the township's own web chat (`bot.web`),
    which `township-bot run` serves in the same process as the bot."""

    kind: Literal["telegram", "web"] = "telegram"
    listen: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # The address members open (behind the reverse proxy): invitation links point here.
    public_url: str = "http://localhost:8080"
    # Off only for trying it out on http://localhost; a browser drops Secure cookies over http.
    secure_cookies: bool = True
    session_days: int = Field(180, ge=1, le=3650)
    upload_max_bytes: int = Field(10 << 20, ge=1024, le=50 << 20)
    # Sign-in attempts per address per hour, successful or not.
    signin_attempts_per_hour: int = Field(20, ge=1, le=10_000)
    bot_name: Annotated[str, Field(min_length=1, max_length=64)] = "乡镇工作助手"
    # A member whose page has not asked for messages for this long is nudged through their
    # township's group robot when the bot writes to them.
    nudge_after_seconds: int = Field(120, ge=10, le=24 * 3600)
    robots: list[RobotConfig] = []

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _secure_unless_localhost(self) -> ChannelConfig:
        host = urlsplit(self.public_url).hostname
        local = self.public_url.startswith("http://") and host in ("localhost", "127.0.0.1")
        if not self.secure_cookies and not local:
            raise _invalid("insecure_cookies")
        return self

    @property
    def web(self) -> bool:
        return self.kind == "web"


class DatabaseConfig(_Strict):
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
    # SQLite only: how long a write waits for another connection's lock (a backup, a
    # maintenance script) before the user is told the bot cannot save right now.
    sqlite_busy_timeout_seconds: float = Field(10.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise _invalid("database_url")
        return value


class VillageConfig(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: int = Field(1500, ge=50, le=50_000)

    @model_validator(mode="after")
    def _both_or_none(self) -> VillageConfig:
        if (self.lat is None) != (self.lon is None):
            raise _invalid("lat_lon")
        return self


def _check_hhmm(value: str) -> str:
    try:
        parse_hhmm(value)
    except ValueError:
        raise _invalid("not_a_time", value=repr(value)) from None
    return value


HHMM = Annotated[str, AfterValidator(_check_hhmm)]
JOB_NAMES = (
    "report_open",
    "report_last_call",
    "report_deadline",
    "field_nudge",
    "field_last_call",
    "monday_agenda",
    "dispute_reminders",
    "weekly_summary",
    "monthly_summary",
    "lists_preview",
)


class JobsConfig(_Strict):
    """When the scheduled messages go out (township time). A township may override it."""

    disabled: list[Literal[JOB_NAMES]] = []  # type: ignore[valid-type]
    report_last_call_hours: float = Field(3, ge=0, le=48)
    field_nudge_weekday: int = Field(3, ge=1, le=7)
    field_nudge_time: HHMM = "15:00"
    field_last_call_time: HHMM = "09:00"
    agenda_time: HHMM = "08:00"
    dispute_reminders_time: HHMM = "09:00"
    dispute_due_within_days: int = Field(2, ge=0, le=30)
    dispute_escalate_after_days: int = Field(3, ge=0, le=365)
    weekly_summary_after_minutes: int = Field(60, ge=0, le=24 * 60)
    monthly_summary_time: HHMM = "09:00"


class SchedulerConfig(_Strict):
    enabled: bool = True
    # How often the timer checks for due jobs and queued messages; 0 turns the timer off.
    tick_seconds: int = Field(30, ge=0, le=3600)
    # A job whose time passed while the bot was down still runs within this grace period.
    catch_up_grace_minutes: int = Field(180, ge=0, le=7 * 24 * 60)
    lease_seconds: int = Field(60, ge=5, le=3600)
    send_batch: int = Field(20, ge=1, le=500)


class InstanceConfig(_Strict):
    """Running several instances on one PostgreSQL database: one is active, the rest stand by."""

    # The active instance renews its lease every renew_seconds; a standby takes over when the
    # lease has not been renewed for lease_seconds (so within lease_seconds + renew_seconds).
    lease_seconds: int = Field(20, ge=2, le=600)
    renew_seconds: float = Field(5, gt=0, le=300)
    # Health endpoint (GET /health: 200 when active, 503 on a standby; GET /live: 200).
    # 0 turns it off.
    health_port: int = Field(0, ge=0, le=65535)
    health_listen: str = "127.0.0.1"

    @model_validator(mode="after")
    def _renew_before_expiry(self) -> InstanceConfig:
        if self.renew_seconds >= self.lease_seconds:
            raise _invalid("renew_before_expiry")
        return self


class RedBlackWeightsConfig(_Strict):
    """Scoreboard points per unit of each rule (negative = deduction)."""

    field_day: int = Field(2, ge=-100, le=100)
    problem_solved: int = Field(3, ge=-100, le=100)
    screening: int = Field(2, ge=-100, le=100)
    case_resolved: int = Field(5, ge=-100, le=100)
    late_report: int = Field(-5, ge=-100, le=100)
    missing_report: int = Field(-10, ge=-100, le=100)
    field_day_short: int = Field(-3, ge=-100, le=100)


class RedBlackConfig(_Strict):
    """Red and black lists (红黑榜) and the scoreboard; maps onto domain RedBlackRules."""

    # Screenings / problems for the red list: at quota every week, or summed over the period.
    quota_mode: Literal["weekly", "period"] = "weekly"
    # A case overdue by more than this many days puts its owner on the black list.
    black_overdue_days: int = Field(7, ge=0, le=365)
    # Non-exempt weeks of data a member needs in the period to be listed at all.
    min_data_weeks_week: int = Field(1, ge=1, le=1)
    min_data_weeks_month: int = Field(2, ge=1, le=5)
    min_data_weeks_quarter: int = Field(6, ge=1, le=14)
    # Optional caps; everybody tied at the cap is listed and the tie is stated.
    max_red: int | None = Field(None, ge=1)
    max_black: int | None = Field(None, ge=1)
    points_enabled: bool = True
    weights: RedBlackWeightsConfig = RedBlackWeightsConfig()
    rank_by: Literal["person", "unit", "both"] = "person"
    # Hours a member named on a preview has to object before the list can be published.
    objection_window_hours: int = Field(48, ge=0, le=24 * 30)
    # 包村 teams: village name -> unit name. A cadre's unit is their first 包村 village,
    # or the team that village belongs to here.
    village_units: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = {}


class TownshipConfig(_Strict):
    code: Annotated[str, Field(pattern=TOWNSHIP_CODE)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    timezone: str | None = None
    group_chat_id: int | None = None
    secretaries: list[int] = []
    villages: list[VillageConfig] = []
    jobs: JobsConfig | None = None
    redblack: RedBlackConfig | None = None

    _tz = field_validator("timezone")(lambda cls, v: v if v is None else _check_timezone(v))

    @model_validator(mode="after")
    def _unique_villages(self) -> TownshipConfig:
        names = [v.name for v in self.villages]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise _invalid("duplicate_villages", names=", ".join(dupes))
        return self


class RolesConfig(_Strict):
    admins: list[int] = Field(
        default_factory=list, description="Telegram user ids of county admins"
    )


class InviteConfig(_Strict):
    valid_hours: int = Field(72, ge=1, le=24 * 60)


DEFAULT_ACTIVITIES = ["听取民意", "政策宣传", "矛盾化解", "帮办实事", "助力发展"]
DEFAULT_SECTIONS = ["本周完成", "下周计划", "问题与需求", "重点工作进展"]


def _unique_names(values: list[str], what: str) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise _invalid("empty_names", what=what)
    dupes = sorted({v for v in cleaned if cleaned.count(v) > 1})
    if dupes:
        raise _invalid("duplicate_names", what=what, names=", ".join(dupes))
    return cleaned


class CalendarConfig(_Strict):
    """Overrides of the Chinese workday calendar (chinese_calendar + Mon–Fri fallback)."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarConfig:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            listed = ", ".join(d.isoformat() for d in both)
            raise _invalid("holiday_and_workday", dates=listed)
        return self


class QuotasConfig(_Strict):
    """Weekly quota per cadre for a normal 5-workday week, pro-rated by available workdays."""

    field_days: int = Field(3, ge=0, le=7)
    dispute_screenings: int = Field(1, ge=0, le=100)
    problems_solved: int = Field(1, ge=0, le=100)
    rounding: Literal["half_up", "ceil", "floor", "none"] = "half_up"


class ReportConfig(_Strict):
    """The Friday report (周五交账): window, sections and their length limit."""

    open_time: time = time(12, 0)
    deadline_time: time = time(18, 0)
    open_workdays_before: int = Field(1, ge=0, le=6)
    sections: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=lambda: list(DEFAULT_SECTIONS), min_length=1, max_length=8
    )
    # Pre-filled with the digest of the week's visit logs ("" for none).
    digest_section: str = "本周完成"
    # Each line is stored as a separate item for the Monday agenda ("" for none).
    needs_section: str = "问题与需求"
    section_limit: int = Field(1000, ge=50, le=3500)

    _sections = field_validator("sections")(lambda cls, v: _unique_names(v, "sections"))

    @model_validator(mode="after")
    def _consistent(self) -> ReportConfig:
        if self.open_time.tzinfo is not None or self.deadline_time.tzinfo is not None:
            raise _invalid("local_times")
        if self.open_time >= self.deadline_time:
            raise _invalid("open_before_deadline")
        for key in ("digest_section", "needs_section"):
            value = getattr(self, key)
            if value and value not in self.sections:
                raise _invalid("not_a_section", key=key, value=repr(value))
        return self


class VisitsConfig(_Strict):
    """Field-visit logs (下乡记录)."""

    activities: list[Annotated[str, Field(max_length=12)]] = Field(
        default_factory=lambda: list(DEFAULT_ACTIVITIES), min_length=1, max_length=10
    )
    # How many days back a visit may be logged (0: today only).
    backfill_days: int = Field(3, ge=0, le=31)
    # The activity that means dispute work: a log with it can link to, or open, a case.
    dispute_activity: str = "矛盾化解"

    _activities = field_validator("activities")(lambda cls, v: _unique_names(v, "activities"))


class CaseTermConfig(_Strict):
    """One entry of a case vocabulary list: a stable key (stored with the case) and its label."""

    key: Annotated[str, Field(pattern=TERM_KEY)]
    label: Annotated[str, Field(min_length=1, max_length=24)]


def _terms(*pairs: tuple[str, str]) -> list[CaseTermConfig]:
    return [CaseTermConfig(key=k, label=v) for k, v in pairs]


class CaseTierDaysConfig(_Strict):
    """Calendar days from registration (or reopening) to the deadline, per difficulty tier."""

    ordinary: int = Field(7, ge=1, le=365)
    complex: int = Field(15, ge=1, le=365)
    difficult: int = Field(30, ge=1, le=365)


class CasesConfig(_Strict):
    """The dispute case ledger (矛盾纠纷排查化解台账)."""

    categories: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("neighbourhood", "邻里纠纷"),
            ("marriage_family", "婚姻家庭"),
            ("land_forest", "土地山林"),
            ("labour", "劳资纠纷"),
            ("damages", "损害赔偿"),
            ("construction", "工程施工"),
            ("other", "其他"),
        )
    )
    sources: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("screening", "排查发现"),
            ("walk_in", "群众来访"),
            ("assigned_by_superior", "上级交办"),
            ("transferred_by_department", "部门转办"),
        )
    )
    referral_units: list[CaseTermConfig] = Field(
        default_factory=lambda: _terms(
            ("police_station", "派出所"),
            ("court", "法庭"),
            ("judicial_office", "司法所"),
            ("traffic_police", "交警中队"),
        )
    )
    tier_days: CaseTierDaysConfig = CaseTierDaysConfig()
    # A resolved case is due for its follow-up visit (回访) this many days after resolution.
    followup_after_days: int = Field(7, ge=0, le=365)
    # An overdue case is due for escalation to the secretary after this many days overdue.
    escalation_after_days: int = Field(3, ge=0, le=365)
    # "Due soon" reminders start this many days before the deadline.
    due_soon_days: int = Field(2, ge=0, le=30)

    @model_validator(mode="after")
    def _unique_terms(self) -> CasesConfig:
        for name in ("categories", "sources", "referral_units"):
            terms: list[CaseTermConfig] = getattr(self, name)
            if not terms:
                raise _invalid("empty_names", what=name)
            for attr in ("key", "label"):
                values = [getattr(t, attr) for t in terms]
                dupes = sorted({v for v in values if values.count(v) > 1})
                if dupes:
                    raise _invalid("duplicate_terms", name=name, attr=attr, values=", ".join(dupes))
        return self


class Settings(_Strict):
    timezone: str = "Asia/Shanghai"
    language: Language = "zh_CN"
    telegram: TelegramConfig = TelegramConfig()
    channel: ChannelConfig = ChannelConfig()
    database: DatabaseConfig = DatabaseConfig()
    roles: RolesConfig = RolesConfig()
    invites: InviteConfig = InviteConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    instance: InstanceConfig = InstanceConfig()
    jobs: JobsConfig = JobsConfig()
    calendar: CalendarConfig = CalendarConfig()
    quotas: QuotasConfig = QuotasConfig()
    report: ReportConfig = ReportConfig()
    visits: VisitsConfig = VisitsConfig()
    cases: CasesConfig = CasesConfig()
    redblack: RedBlackConfig = RedBlackConfig()
    townships: list[TownshipConfig] = []

    _tz = field_validator("timezone")(lambda cls, v: _check_timezone(v))

    @model_validator(mode="after")
    def _unique_townships(self) -> Settings:
        codes = [t.code for t in self.townships]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise _invalid("duplicate_townships", codes=", ".join(dupes))
        return self

    def township(self, code: str) -> TownshipConfig | None:
        return next((t for t in self.townships if t.code == code), None)

    def township_jobs(self, code: str) -> JobsConfig:
        township = self.township(code)
        return (township and township.jobs) or self.jobs

    def township_redblack(self, code: str) -> RedBlackConfig:
        township = self.township(code)
        return (township and township.redblack) or self.redblack

    def township_tz(self, code: str) -> ZoneInfo:
        township = self.township(code)
        return ZoneInfo((township and township.timezone) or self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def invite_link(self, bot_username: str, token: str) -> str:
        """Where an invitation takes its person: the web chat's sign-in, or Telegram's /start."""
        if self.channel.web:
            return f"{self.channel.public_url}/join/{token}"
        return f"https://t.me/{bot_username}?start={token}"


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


def _describe(error: ValidationError, source: str, data: dict[str, Any]) -> ConfigError:
    issues = [_issue(item, data) for item in error.errors()]
    return ConfigError(N_("Invalid configuration in {source}:"), issues, source=source)


def parse_settings(data: dict[str, Any], source: str = "<config>") -> Settings:
    data = dict(data)
    telegram = dict(data.get("telegram") or {})
    database = dict(data.get("database") or {})
    if os.environ.get(ENV_TOKEN):
        telegram["token"] = os.environ[ENV_TOKEN]
    if os.environ.get(ENV_DATABASE_URL):
        database["url"] = os.environ[ENV_DATABASE_URL]
    if telegram:
        data["telegram"] = telegram
    if database:
        data["database"] = database
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise _describe(exc, source, data) from None


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from `path`, $TOWNSHIP_BOT_CONFIG or ./config.toml; defaults when none exists."""
    explicit = path is not None or bool(os.environ.get(ENV_CONFIG))
    candidate = Path(path or os.environ.get(ENV_CONFIG) or "config.toml")
    if not candidate.exists():
        if explicit:
            raise ConfigError(N_("Config file {path} does not exist."), path=str(candidate))
        return parse_settings({}, "defaults")
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            N_("{path} is not valid TOML: {error}"), path=str(candidate), error=str(exc)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            N_("Cannot read {path}: {error}"), path=str(candidate), error=str(exc)
        ) from None
    return parse_settings(data, str(candidate))


def parse_hhmm(value: str) -> time:
    hours, sep, minutes = value.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(value)
    return time(int(hours), int(minutes))

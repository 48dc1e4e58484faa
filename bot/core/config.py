"""Configuration: a TOML file validated by pydantic, with secrets from the environment.

This module holds the settings themselves and how they are loaded; the work discipline's
sections are in `config_sections`, the shared validators and the one `ConfigError` (which
names the file and the key, so a township IT person never sees a traceback) in
`config_checks`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from bot.core.config_checks import (
    STRICT,
    TOWNSHIP_CODE,
    ConfigError,
    check_timezone,
    describe,
    invalid,
    parse_hhmm,
)
from bot.core.config_sections import (
    CalendarConfig,
    CasesConfig,
    JobsConfig,
    QuotasConfig,
    RedBlackConfig,
    ReportConfig,
    VisitsConfig,
)
from bot.core.i18n import N_

__all__ = [
    "ENV_CONFIG",
    "ENV_DATABASE_URL",
    "ENV_TOKEN",
    "LANGUAGES",
    "TOWNSHIP_CODE",
    "ConfigError",
    "RedBlackConfig",
    "ReportConfig",
    "SchedulerConfig",
    "Settings",
    "TelegramConfig",
    "load_settings",
    "parse_hhmm",
    "parse_settings",
]

ENV_TOKEN = "TOWNSHIP_BOT_TOKEN"
ENV_DATABASE_URL = "TOWNSHIP_BOT_DATABASE_URL"
ENV_CONFIG = "TOWNSHIP_BOT_CONFIG"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/township.db"
LANGUAGES = ("zh_CN", "en")

Language = Literal["zh_CN", "en"]


class _Strict(BaseModel):
    model_config = STRICT


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
            raise invalid("proxy_url")
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
    # Web Push: the push services a browser's subscription may point at (scheme and host;
    # "*." matches any subdomain), so the server posts to nowhere else. Chrome's (FCM) is
    # unreachable from mainland China; the group robot is the route that always works there.
    push_services: list[str] = [
        "https://updates.push.services.mozilla.com",
        "https://*.notify.windows.com",
        "https://web.push.apple.com",
        "https://fcm.googleapis.com",
    ]
    # VAPID's contact (`sub`), "mailto:..." or "https://..."; empty: public_url when it is
    # https, else mailto:webmaster@localhost.
    push_contact: str = ""

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
            raise invalid("insecure_cookies")
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
            raise invalid("database_url")
        return value


class VillageConfig(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: int = Field(1500, ge=50, le=50_000)

    @model_validator(mode="after")
    def _both_or_none(self) -> VillageConfig:
        if (self.lat is None) != (self.lon is None):
            raise invalid("lat_lon")
        return self


class SchedulerConfig(_Strict):
    enabled: bool = True
    # How often the timer checks for due jobs and queued messages; 0 turns the timer off.
    tick_seconds: int = Field(30, ge=0, le=3600)
    # A job whose time passed while the bot was down still runs within this grace period.
    catch_up_grace_minutes: int = Field(180, ge=0, le=7 * 24 * 60)
    lease_seconds: int = Field(60, ge=5, le=3600)
    send_batch: int = Field(20, ge=1, le=500)


class InstanceConfig(_Strict):
    """Running several instances on one database: one active and the rest standing by
    (`active = "one"`), or, on PostgreSQL only, all of them sharing the updates (`"all"`)."""

    # "all": every instance handles updates, one user's at a time and in order; the lease
    # holder still polls getUpdates (webhook: any instance stores what it receives) and runs
    # the scheduler and the outbox.
    active: Literal["one", "all"] = "one"
    # With active = "all": handled updates are kept this long, then deleted.
    inbound_retention_hours: int = Field(24, ge=1, le=24 * 30)
    # With active = "all": an instance keeps a user this long after their last update, so
    # the next tap needs no new claim (a stopping instance lets its users go at once).
    affinity_seconds: float = Field(10, ge=0, le=600)

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
            raise invalid("renew_before_expiry")
        return self


class TownshipConfig(_Strict):
    code: Annotated[str, Field(pattern=TOWNSHIP_CODE)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    timezone: str | None = None
    group_chat_id: int | None = None
    secretaries: list[int] = []
    villages: list[VillageConfig] = []
    jobs: JobsConfig | None = None
    redblack: RedBlackConfig | None = None

    _tz = field_validator("timezone")(lambda cls, v: v if v is None else check_timezone(v))

    @model_validator(mode="after")
    def _unique_villages(self) -> TownshipConfig:
        names = [v.name for v in self.villages]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise invalid("duplicate_villages", names=", ".join(dupes))
        return self


class RolesConfig(_Strict):
    admins: list[int] = Field(
        default_factory=list, description="Telegram user ids of county admins"
    )


class InviteConfig(_Strict):
    valid_hours: int = Field(72, ge=1, le=24 * 60)


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

    _tz = field_validator("timezone")(lambda cls, v: check_timezone(v))

    @model_validator(mode="after")
    def _all_active_needs_postgresql(self) -> Settings:
        if self.instance.active == "all" and self.database.url.startswith("sqlite"):
            raise invalid("all_active_on_sqlite")
        return self

    @model_validator(mode="after")
    def _unique_townships(self) -> Settings:
        codes = [t.code for t in self.townships]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise invalid("duplicate_townships", codes=", ".join(dupes))
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
        raise describe(exc, source, data) from None


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

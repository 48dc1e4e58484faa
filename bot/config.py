"""Configuration: a TOML file validated by pydantic, with secrets from the environment.

Every error is turned into one `ConfigError` whose message names the file and the key,
so a township IT person never sees a traceback.
"""

from __future__ import annotations

import os
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_TOKEN = "TOWNSHIP_BOT_TOKEN"
ENV_DATABASE_URL = "TOWNSHIP_BOT_DATABASE_URL"
ENV_CONFIG = "TOWNSHIP_BOT_CONFIG"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/township.db"
LANGUAGES = ("zh_CN", "en")

Language = Literal["zh_CN", "en"]


class ConfigError(Exception):
    """A configuration problem, already phrased for the person running the bot."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"
        ) from exc
    return value


class WebhookConfig(_Strict):
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    url_path: str = "telegram"
    public_url: str = ""
    secret_token: str = ""


class TelegramConfig(_Strict):
    token: str = ""
    bot_username: str = ""
    api_base_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    admin_chat_id: int | None = None
    webhook: WebhookConfig = WebhookConfig()

    @field_validator("api_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def base_url(self) -> str:
        return f"{self.api_base_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_base_url}/file/bot"


class DatabaseConfig(_Strict):
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
            )
        return value


class VillageConfig(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_m: int = Field(1500, ge=50, le=50_000)

    @model_validator(mode="after")
    def _both_or_none(self) -> VillageConfig:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class TownshipConfig(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$")]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    timezone: str | None = None
    group_chat_id: int | None = None
    secretaries: list[int] = []
    villages: list[VillageConfig] = []

    _tz = field_validator("timezone")(lambda cls, v: v if v is None else _check_timezone(v))

    @model_validator(mode="after")
    def _unique_villages(self) -> TownshipConfig:
        names = [v.name for v in self.villages]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate village names: {', '.join(dupes)}")
        return self


class RolesConfig(_Strict):
    admins: list[int] = Field(
        default_factory=list, description="Telegram user ids of county admins"
    )


class InviteConfig(_Strict):
    valid_hours: int = Field(72, ge=1, le=24 * 60)


class CaseTermConfig(_Strict):
    """One entry of a case vocabulary list: a stable key (stored with the case) and its label."""

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
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
                raise ValueError(f"{name} must not be empty")
            for attr in ("key", "label"):
                values = [getattr(t, attr) for t in terms]
                dupes = sorted({v for v in values if values.count(v) > 1})
                if dupes:
                    raise ValueError(f"duplicate {name} {attr}s: {', '.join(dupes)}")
        return self


class Settings(_Strict):
    timezone: str = "Asia/Shanghai"
    language: Language = "zh_CN"
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    roles: RolesConfig = RolesConfig()
    invites: InviteConfig = InviteConfig()
    cases: CasesConfig = CasesConfig()
    townships: list[TownshipConfig] = []

    _tz = field_validator("timezone")(lambda cls, v: _check_timezone(v))

    @model_validator(mode="after")
    def _unique_townships(self) -> Settings:
        codes = [t.code for t in self.townships]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate township codes: {', '.join(dupes)}")
        return self

    def township(self, code: str) -> TownshipConfig | None:
        return next((t for t in self.townships if t.code == code), None)

    def township_tz(self, code: str) -> ZoneInfo:
        township = self.township(code)
        return ZoneInfo((township and township.timezone) or self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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
    return "".join(parts) or "(top level)"


def _describe(error: ValidationError, source: str, data: dict[str, Any]) -> str:
    lines = [f"Invalid configuration in {source}:"]
    for item in error.errors():
        key = _format_location(tuple(item["loc"]), data)
        kind = item["type"]
        if kind == "extra_forbidden":
            msg = "unknown key (check the spelling against config.example.toml)"
        elif kind == "missing":
            msg = "required key is missing"
        else:
            msg = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"  - {key}: {msg}")
    return "\n".join(lines)


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
        raise ConfigError(_describe(exc, source, data)) from None


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from `path`, $TOWNSHIP_BOT_CONFIG or ./config.toml; defaults when none exists."""
    explicit = path is not None or bool(os.environ.get(ENV_CONFIG))
    candidate = Path(path or os.environ.get(ENV_CONFIG) or "config.toml")
    if not candidate.exists():
        if explicit:
            raise ConfigError(f"Config file {candidate} does not exist.")
        return parse_settings({}, "defaults")
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{candidate} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {candidate}: {exc}") from None
    return parse_settings(data, str(candidate))


def parse_hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))

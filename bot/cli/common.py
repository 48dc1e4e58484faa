"""What every command shares: the settings, the township looked up by code, the language."""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path

from bot.core.config import ENV_CONFIG, LANGUAGES, ConfigError, Settings, load_settings
from bot.core.i18n import DEFAULT_LANGUAGE, N_, normalize_language, translations
from bot.core.reach import Text


def config_path(explicit: str | Path | None) -> Path:
    """The file load_settings reads: --config, then $TOWNSHIP_BOT_CONFIG, then ./config.toml."""
    return Path(explicit or os.environ.get(ENV_CONFIG) or "config.toml")


def language_of(lang: str | None, config: str | Path | None) -> str:
    """The command line's language: --lang, else the config's `language`, else zh_CN.

    The config is read leniently here: a file with mistakes still says which language its
    mistakes are to be reported in."""
    if lang in LANGUAGES:
        return str(lang)
    try:
        data = tomllib.loads(config_path(config).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return DEFAULT_LANGUAGE
    language = data.get("language")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text_for(language: str | None) -> Text:
    """Translations as plain text, for the terminal and the log."""
    return translations(normalize_language(language)).gettext


def gettext_of(args: argparse.Namespace) -> Text:
    return text_for(args.lang)


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def require_townships(settings: Settings) -> None:
    if not settings.townships:
        raise ConfigError(
            N_(
                "No township is configured: run `township-bot init`, or add a [[townships]] "
                "entry (see config.example.toml)."
            )
        )


def require_township(settings: Settings, code: str) -> None:
    if settings.township(code) is None:
        known = ", ".join(t.code for t in settings.townships) or "-"
        raise ConfigError(
            N_("Unknown township code {code} (configured: {known})."), code=repr(code), known=known
        )

"""The config file `township-bot init` writes, commented in the wizard's language."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.cli.wizard_answers import Answers
from bot.core.config import ENV_TOKEN
from bot.core.reach import Text


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def render_config(answers: Answers, language: str, folder: Path, _: Text) -> str:
    """The config file the wizard writes, commented in the wizard's language."""

    def comment(text: str, indent: str = "") -> list[str]:
        return [f"{indent}# {line}".rstrip() for line in text.splitlines()]

    database = f"sqlite+aiosqlite:///{(folder / 'data' / 'township.db').as_posix()}"
    lines = [
        *comment(
            _(
                "township-bot configuration, written by `township-bot init` on {date}.\n"
                "Every other setting (report times, quotas, reminders, red and black lists…) is\n"
                "described, with its default, in config.example.toml: copy what you need here.\n"
                "Check this file with: township-bot check-config"
            ).format(date=date.today().isoformat())
        ),
        "",
        *comment(_("Default time zone of the townships (IANA name).")),
        f"timezone = {toml_string(answers.timezone)}",
        *comment(
            _('Language for new members: "zh_CN" or "en"; each member can switch with /lang.')
        ),
        f"language = {toml_string(language)}",
        "",
        "[telegram]",
    ]
    if answers.token:
        lines += comment(
            _(
                "The bot token from @BotFather. Whoever has it controls the bot: keep this file\n"
                "private, or delete the line and use the environment variable {env} instead."
            ).format(env=ENV_TOKEN)
        )
        lines.append(f"token = {toml_string(answers.token)}")
    else:
        lines += comment(
            _("The bot token comes from the environment variable {env}.").format(env=ENV_TOKEN)
        )
        lines.append('token = ""')
    lines += [
        *comment(_("The bot's @username without the @, for invitation links.")),
        f"bot_username = {toml_string(answers.bot_username)}",
        *comment(_("The Bot API server: Telegram's own, or a self-hosted one.")),
        f"api_base_url = {toml_string(answers.route.api_base_url)}",
        *comment(
            _(
                "Outbound proxy for every Bot API request (HTTP or SOCKS5), such as\n"
                '"http://127.0.0.1:7890" or "socks5://user:password@host:1080".'
            )
        ),
    ]
    if answers.route.proxy:
        lines.append(f"proxy = {toml_string(answers.route.proxy)}")
    else:
        lines.append('# proxy = "http://127.0.0.1:7890"')
    lines += [
        "",
        "[database]",
        *comment(
            _(
                "The SQLite database file, created on first start. The environment variable\n"
                "TOWNSHIP_BOT_DATABASE_URL overrides it (for PostgreSQL, see config.example.toml)."
            )
        ),
        f"url = {toml_string(database)}",
        "",
        "[[townships]]",
        *comment(
            _(
                "The township code appears in case numbers (such as {code}-2026-0058); keep it."
            ).format(code=answers.code)
        ),
        f"code = {toml_string(answers.code)}",
        f"name = {toml_string(answers.name)}",
        *comment(
            _(
                "Secretaries join by invitation (township-bot invite --township {code} --role\n"
                "secretary); the township group is set in chat once the bot is added to it."
            ).format(code=answers.code)
        ),
        "",
        *comment(
            _(
                "Villages (包村 units). lat/lon and radius_m are optional: with them, a visit log\n"
                'that shares a location is marked "location checked" within radius_m metres.'
            ),
            "  ",
        ),
    ]
    for village in answers.villages:
        lines += ["  [[townships.villages]]", f"  name = {toml_string(village)}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"

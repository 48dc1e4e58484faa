"""`township-bot init`: a township office's first day, from a token to the first secretary.

It asks for the township, its villages, the time zone, the token and the network route;
checks the token with getMe when Telegram can be reached; writes a commented config.toml
(checked with the real settings loader); creates the database, the township and a
single-use secretary invitation, and prints its link. No Telegram id is typed anywhere:
the secretary arrives by invitation, the group is set in chat.

Questions and answers go through `ask` (input()) and `say` (print), so a test can answer
them; nothing is written before the last question has been answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from bot.cli.common import config_path, text_for
from bot.cli.wizard_answers import DEFAULT_TIMEZONE, AnswerChecks, Answers
from bot.cli.wizard_config import render_config
from bot.core.config import ENV_TOKEN, ConfigError, load_settings
from bot.core.reach import DEFAULT_API, Route, TelegramUnreachable, Text, TokenRejected, get_me

# A pasted list may be numbered ("1.", "2、", "(3)") or separated by 、 , ; or spaces.
_NUMBERING = re.compile(r"^\s*[(（]?\d{1,3}[)）.、．]\s*")
_SEPARATORS = re.compile(r"[、,，;；\s]+")

Ask = Callable[[str], str]
Say = Callable[[str], None]
GetMe = Callable[[str, Route, Text], Coroutine[Any, Any, str]]


class Aborted(Exception):
    """The answers ended before the last question (stdin closed)."""


def cmd_init(args: argparse.Namespace) -> int:
    wizard = Wizard(config_path(args.config), args.lang, force=args.force)
    return wizard.run()


class Wizard:
    def __init__(
        self,
        path: Path,
        language: str,
        *,
        force: bool = False,
        ask: Ask = input,
        say: Say = print,
        environ: Mapping[str, str] = os.environ,
        check: GetMe = get_me,
    ) -> None:
        self.path = path
        self.language = language
        self.force = force
        self._ask = ask
        self.say = say
        self.environ = environ
        self.check = check
        self._ = text_for(language)
        self.checks = AnswerChecks(self._)

    # ------------------------------------------------------------------ the conversation

    def run(self) -> int:
        _ = self._
        if self.path.exists() and not self.force:
            self.say(
                _(
                    "{path} already exists, so nothing was changed. Run `township-bot init "
                    "--force` to replace it (a copy is kept as {backup})."
                ).format(path=self.path, backup=self._backup_path().name)
            )
            return 2
        self.say(
            _("Setting up township-bot: the answers are written to {path}.").format(
                path=self.path.resolve()
            )
        )
        self.say(_("Nothing is written before the last answer; Ctrl-C stops at any time."))
        try:
            answers = self.interview()
        except Aborted:
            self.say(_("The answers ended before the set-up was finished; nothing was written."))
            return 1
        self.write(answers)
        return self.first_invitation(answers)

    def interview(self) -> Answers:
        answers = Answers()
        answers.name = self.question(
            self._("Name of the township (such as 沙河子镇): "), self.checks.parse_name
        )
        self.say("")
        self.say(
            self._(
                "The township code is 2–10 capital letters or digits, starting with a letter "
                "(such as SHZ). It appears in case numbers such as SHZ-2026-0058 and should "
                "not change later."
            )
        )
        answers.code = self.question(self._("Township code: "), self.checks.parse_code)
        self.say("")
        answers.villages = self.ask_villages()
        self.say("")
        answers.timezone = self.question(
            self._("Time zone [{default}]: ").format(default=DEFAULT_TIMEZONE),
            self.checks.parse_timezone,
        )
        self.say("")
        answers.route = self.ask_route()
        self.ask_token(answers)
        if not answers.bot_username:
            self.say("")
            answers.bot_username = self.question(
                self._("The bot's username, as @BotFather showed it (it ends in bot): "),
                self.checks.parse_username,
            )
        return answers

    def ask(self, prompt: str) -> str:
        try:
            return self._ask(prompt).strip()
        except EOFError:
            raise Aborted from None

    def question(self, prompt: str, parse: Callable[[str], tuple[str, str]]) -> str:
        """Ask until `parse` accepts the answer; it returns (value, "") or ("", why not)."""
        while True:
            value, error = parse(self.ask(prompt))
            if not error:
                return value
            self.say(error)

    def ask_villages(self) -> list[str]:
        _ = self._
        self.say(
            _(
                "The villages of the township: one name a line (the whole list can be pasted), "
                "then an empty line to finish."
            )
        )
        while True:
            names: list[str] = []
            errors: list[str] = []
            while line := self.ask(""):
                for name in _SEPARATORS.split(_NUMBERING.sub("", line)):
                    if len(name) > 64:
                        errors.append(
                            _(
                                "{name} is too long for a village name (at most 64 characters)."
                            ).format(name=name[:20] + "…")
                        )
                    elif name and name not in names:
                        names.append(name)
            if errors:
                for error in errors:
                    self.say(error)
                self.say(_("Please enter the list of villages again."))
                continue
            if names:
                self.say(
                    _("{count} village(s): {names}").format(
                        count=len(names), names="、".join(names)
                    )
                )
                return names
            self.say(
                _(
                    "At least one village is needed: type or paste the names, one a line, then an "
                    "empty line."
                )
            )

    def ask_route(self) -> Route:
        _ = self._
        self.say(_("How does this computer reach Telegram?"))
        self.say(_("  1. directly"))
        self.say(_("  2. through a proxy (HTTP or SOCKS5)"))
        self.say(_("  3. through a self-hosted Bot API server (such as one abroad)"))
        self.say(
            _(
                "From mainland China, Telegram is reached through a proxy or a Bot API server "
                "abroad."
            )
        )
        choice = self.question(_("Choose 1, 2 or 3 [1]: "), self.checks.parse_choice)
        if choice == "2":
            proxy = self.question(
                _(
                    "Proxy address, such as http://127.0.0.1:7890 or "
                    "socks5://user:password@host:1080: "
                ),
                self.checks.parse_proxy,
            )
            return Route(DEFAULT_API, proxy)
        if choice == "3":
            server = self.question(
                _("Address of the Bot API server, such as https://botapi.example.com: "),
                self.checks.parse_server,
            )
            return Route(server)
        return Route()

    def ask_token(self, answers: Answers) -> None:
        """The token (pasted, or later from the environment), checked with getMe if possible."""
        _ = self._
        self.say("")
        self.say(
            _(
                "The bot token: @BotFather in Telegram shows it when the bot is created "
                "(/newbot); it looks like 123456789:AAH… ."
            )
        )
        env_token = self.environ.get(ENV_TOKEN, "").strip()
        while True:
            if env_token:
                self.say(
                    _(
                        "The environment variable {env} is set: press Enter to use its token."
                    ).format(env=ENV_TOKEN)
                )
            else:
                self.say(
                    _(
                        "Paste the token, or press Enter to give it later in the environment "
                        "variable {env} (then it is not written to the file)."
                    ).format(env=ENV_TOKEN)
                )
            answers.token = self.question(_("Token: "), self.checks.parse_token)
            token = answers.token or env_token
            if not token:
                return
            self.say(_("Checking the token with Telegram…"))
            try:
                answers.bot_username = asyncio.run(self.check(token, answers.route, _))
            except TokenRejected:
                self.say(
                    _(
                        "Telegram rejected this token. Check it with @BotFather (/token) and "
                        "paste it again."
                    )
                )
                if not answers.token:
                    env_token = ""  # the environment's token is the rejected one
                continue
            except TelegramUnreachable as exc:
                self.say(
                    _(
                        "Telegram cannot be reached from here ({reason}), so the token was not "
                        "checked; `township-bot check-config` checks it later."
                    ).format(reason=exc.reason)
                )
                return
            self.say(
                _("The token works: the bot is @{username}.").format(username=answers.bot_username)
            )
            return

    # ------------------------------------------------------------------ the results

    def _backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    def write(self, answers: Answers) -> None:
        """Write the config through a temporary file, checked with the real loader first."""
        _ = self._
        text = render_config(answers, self.language, self.path.resolve().parent, _)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(self.path.name + ".new")
        draft.write_text(text, encoding="utf-8")
        if answers.token:
            draft.chmod(0o600)
        try:
            load_settings(draft)
        except ConfigError:
            draft.unlink()
            raise
        if self.path.exists():
            self.path.replace(self._backup_path())
            self.say(_("The previous file is kept as {path}.").format(path=self._backup_path()))
        draft.replace(self.path)
        self.say("")
        self.say(_("Wrote {path}.").format(path=self.path))
        if answers.token:
            self.say(_("It holds the bot token: keep it private (only you may read it)."))

    def first_invitation(self, answers: Answers) -> int:
        _ = self._
        from bot.cli.invite import invite_link

        settings = load_settings(self.path)
        try:
            link = asyncio.run(invite_link(settings, answers.code, "secretary", _))
        except Exception as exc:  # the database: unreachable server, unwritable directory
            self.say(
                _(
                    "The database could not be prepared ({error}). Fix it, then make the first "
                    "invitation with: township-bot invite --township {code} --role secretary"
                ).format(error=type(exc).__name__, code=answers.code)
            )
            return 1
        self.say(
            _("The database is ready with the township {name} ({code}).").format(
                name=answers.name, code=answers.code
            )
        )
        self.say("")
        self.say(
            _(
                "The first secretary's invitation link (works once, valid for {hours} hours):"
            ).format(hours=settings.invites.valid_hours)
        )
        self.say(link)
        self.say("")
        self.say(_("Next:"))
        if settings.telegram.token:
            self.say(_("  1. Start the bot: township-bot run"))
        else:
            self.say(
                _(
                    "  1. Give the token and start the bot: export {env}=<token>, then "
                    "township-bot run"
                ).format(env=ENV_TOKEN)
            )
        self.say(
            _(
                "  2. Send the link to the secretary, who opens it in Telegram and confirms "
                "their name."
            )
        )
        self.say(_("  3. The secretary invites cadres and mediators with /invite."))
        self.say(
            _(
                "  4. Add the bot to the township's work group: it offers the secretary, "
                "privately, to make it the township group."
            )
        )
        self.say(_("Check the set-up at any time with: township-bot check-config"))
        return 0

"""The command table: one source for /help, Telegram's command menus and the permissions doc."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.i18n import N_
from bot.core.roles import ALL_ROLES, MANAGERS, Role


class ChatScope(enum.StrEnum):
    """Where a command may be used. Private by default: a group chat sees everything the bot
    answers there, so only commands whose answer names nobody may run in a group."""

    PRIVATE = "private"
    ANY = "private or group"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str  # English message id, translated at display time
    roles: frozenset[Role]
    menu: bool = True  # shown in Telegram's command menu
    chats: ChatScope = ChatScope.PRIVATE
    # What a group is told when the command is used there (English message id); a general
    # "use it in a private chat" by default.
    group_answer: str | None = None


COMMANDS: list[CommandSpec] = [
    CommandSpec("help", N_("Show what you can do"), ALL_ROLES, chats=ChatScope.ANY),
    CommandSpec("lang", N_("Switch language"), ALL_ROLES),
    CommandSpec("cancel", N_("Cancel what you are doing"), ALL_ROLES),
    CommandSpec("members", N_("List and manage members"), MANAGERS),
    CommandSpec("invite", N_("Create an invitation link"), MANAGERS),
]


def register_commands(*specs: CommandSpec, before: str | None = "lang") -> None:
    """Feature modules add their commands here at import time."""
    for spec in specs:
        if any(c.name == spec.name for c in COMMANDS):
            continue
        index = next((i for i, c in enumerate(COMMANDS) if c.name == before), len(COMMANDS))
        COMMANDS.insert(index, spec)


def commands_for(roles: set[str] | frozenset[str]) -> list[CommandSpec]:
    return [c for c in COMMANDS if c.roles & roles]


def spec_for(name: str) -> CommandSpec | None:
    return next((c for c in COMMANDS if c.name == name), None)

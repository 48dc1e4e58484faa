"""The command table: one source for /help, Telegram's command menus and the permissions doc."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_

CADRE, MEDIATOR, SECRETARY, ADMIN = "cadre", "mediator", "secretary", "admin"
ALL_ROLES = frozenset({CADRE, MEDIATOR, SECRETARY, ADMIN})
STAFF = ALL_ROLES


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str  # English message id, translated at display time
    roles: frozenset[str]
    menu: bool = True  # shown in Telegram's command menu


COMMANDS: list[CommandSpec] = [
    CommandSpec("help", N_("Show what you can do"), STAFF),
    CommandSpec("lang", N_("Switch language"), STAFF),
    CommandSpec("cancel", N_("Cancel what you are doing"), STAFF),
    CommandSpec("members", N_("List and manage members"), frozenset({SECRETARY, ADMIN})),
    CommandSpec("invite", N_("Create an invitation link"), frozenset({SECRETARY, ADMIN})),
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


ROLE_LABELS = {
    CADRE: N_("cadre"),
    MEDIATOR: N_("mediator"),
    SECRETARY: N_("secretary"),
    ADMIN: N_("admin"),
}

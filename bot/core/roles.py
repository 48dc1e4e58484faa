"""The roles a member can hold: the one definition every feature, table and check uses."""

from __future__ import annotations

import enum

from bot.core.i18n import N_


class Role(enum.StrEnum):
    CADRE = "cadre"  # 干部
    MEDIATOR = "mediator"  # 调解员
    SECRETARY = "secretary"  # 书记
    ADMIN = "admin"  # county level, no township


ALL_ROLES: frozenset[Role] = frozenset(Role)
# Those who manage a township: its secretaries, and admins for every township.
MANAGERS: frozenset[Role] = frozenset({Role.SECRETARY, Role.ADMIN})

ROLE_LABELS: dict[str, str] = {
    Role.CADRE: N_("cadre"),
    Role.MEDIATOR: N_("mediator"),
    Role.SECRETARY: N_("secretary"),
    Role.ADMIN: N_("admin"),
}

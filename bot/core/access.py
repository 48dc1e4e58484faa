"""Who is acting, and what they may see. Pure: built by the data layer, used by handlers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.roles import Role


@dataclass(frozen=True)
class Actor:
    member_id: int
    telegram_user_id: int
    name: str
    language: str
    active: bool
    unreachable: bool = False
    # (township_id or None for county-level, role)
    grants: frozenset[tuple[int | None, str]] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _, role in self.grants)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def has_role(self, role: str, township_id: int | None = None) -> bool:
        if township_id is None:
            return role in self.roles
        return (township_id, role) in self.grants

    def township_ids(self, *roles: str) -> set[int]:
        return {t for t, r in self.grants if t is not None and (not roles or r in roles)}

    def can_see_township(self, township_id: int) -> bool:
        return self.is_admin or township_id in self.township_ids()

    def manages(self, township_id: int) -> bool:
        """Secretaries manage their own township; admins manage every township."""
        return self.is_admin or (township_id, Role.SECRETARY) in self.grants

    def roles_in(self, township_id: int) -> set[str]:
        roles = {r for t, r in self.grants if t == township_id}
        if self.is_admin:
            roles.add(Role.ADMIN)
        return roles

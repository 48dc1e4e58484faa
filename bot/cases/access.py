"""Who sees what of a dispute case.

- Party names and phone numbers are shown only to the mediators and the secretary of the
  case's township and to admins, in private chats, and phones only masked (the full number
  only in a transient alert on request);
- a cadre sees only the cases they registered, without party names or phones;
- another township's cases are invisible (reported exactly like an unknown number);
- lists, figures, briefs, reminders, logs and audit entries never carry party data.

Roles count per township: a cadre of one township who mediates in another sees the parties
of the other township's cases only.
"""

from __future__ import annotations

from bot.cases import rules
from bot.cases.queries import CaseSummary
from bot.cases.rules import Action
from bot.core.access import Actor
from bot.core.roles import Role

PRIVILEGED = frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN})
# Who registers cases, who opens and lists them, who reads the figures and the brief.
CREATORS = (Role.MEDIATOR, Role.CADRE, Role.SECRETARY)
VIEWERS = (Role.CADRE, Role.MEDIATOR, Role.SECRETARY, Role.ADMIN)
FIGURE_VIEWERS = (Role.MEDIATOR, Role.SECRETARY, Role.ADMIN)


def roles_in(actor: Actor, township_id: int) -> frozenset[str]:
    return frozenset(actor.roles_in(township_id))


def sees_parties(actor: Actor, township_id: int) -> bool:
    """Mediators and the secretary of that township, and admins."""
    return bool(roles_in(actor, township_id) & PRIVILEGED)


def can_view(actor: Actor, case: CaseSummary) -> bool:
    township_id = case.state.township_id
    if not actor.can_see_township(township_id):
        return False
    if sees_parties(actor, township_id):
        return True
    return Role.CADRE in roles_in(actor, township_id) and case.state.opened_by == actor.member_id


def domain_actor(actor: Actor, township_id: int) -> rules.Actor:
    return rules.Actor(actor.member_id, roles_in(actor, township_id), township_id)


def allowed_for(actor: Actor, case: CaseSummary) -> list[Action]:
    return rules.allowed_actions(
        case.state.status,
        roles_in(actor, case.state.township_id),
        case.state.opened_by == actor.member_id,
    )


def holds(actor: Actor, township_id: int, roles: tuple[str, ...]) -> bool:
    """The actor holds one of `roles` in the township (admins: any township, when `roles`
    admit admins)."""
    if actor.is_admin and Role.ADMIN in roles:
        return True
    return township_id in actor.township_ids(*roles)

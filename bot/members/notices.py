"""What members and townships tell other people, through the outbox, each in their own
language and with buttons signed for them: a township's secretaries told of a registration
(with the way to assign 包村 villages), of the bot added to a group (with the way to make it
the township group) and of the bot removed from the township group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Actor
from bot.core.db.members import Recipient, recipients
from bot.core.i18n import gettext_for
from bot.core.keys import keys_of
from bot.core.outbox import Outgoing, to_member
from bot.core.roles import ROLE_LABELS, Role
from bot.core.text import Html
from bot.core.turn import Turn
from bot.members.flow import GROUP, MEMBERS, GroupAct, MemberAct
from bot.members.queries import InviteInfo
from bot.members.township_queries import TownshipGroup


async def registered(
    turn: Turn, session: AsyncSession, member_id: int, name: str, info: InviteInfo
) -> list[Outgoing]:
    """Each of the township's secretaries (but the newcomer) is told at once; for a cadre,
    with a button that opens the member card's village toggles."""
    cadre = info.role == Role.CADRE
    out = []
    for secretary in await recipients(session, info.township_id, Role.SECRETARY):
        if secretary.member_id == member_id:
            continue
        _ = gettext_for(secretary.language)
        text = turn.svc.renderer.render(
            "members/registered.html.j2",
            secretary.language,
            name=name,
            township=info.township,
            role=_(ROLE_LABELS.get(info.role, info.role)),
            cadre=cadre,
        )
        button = (
            MEMBERS.button(
                turn,
                _("🏘 Assign villages (包村)"),
                MemberAct.VILLAGES,
                info.township_id,
                member_id,
                0,
            )
            if cadre
            else MEMBERS.button(
                turn, _("📇 Open the member card"), MemberAct.CARD, info.township_id, member_id
            )
        )
        out.append(
            turn.notice(
                secretary,
                f"registered:{info.id}",
                "member_registered",
                text,
                [[button]],
                township_id=info.township_id,
            )
        )
    return out


@dataclass(frozen=True)
class Offer:
    """A township a person added to a group may make it the group of."""

    township: TownshipGroup
    chat_id: int

    @property
    def current(self) -> bool:
        return self.township.group_chat_id == self.chat_id


def group_offer(
    turn: Turn,
    person: Recipient,
    offers: Sequence[Offer],
    who: str,
    title: str,
    key: str,
) -> Outgoing:
    """One message to `person`: the group they could make their townships' group, with a
    button for each township that it is not the group of yet."""
    _ = gettext_for(person.language)
    text = turn.svc.renderer.render(
        "members/group_offer.html.j2",
        person.language,
        who=who,
        title=title,
        townships=[
            {
                "name": o.township.name,
                "current": o.current,
                "replaces": o.township.group_chat_id is not None and not o.current,
            }
            for o in offers
        ],
    )
    rows = [
        [
            GROUP.button(
                turn,
                _("✅ Make it the group of {township}").format(township=o.township.name),
                GroupAct.SET,
                o.township.township_id,
                o.chat_id,
            )
        ]
        for o in offers
        if not o.current
    ]
    return turn.notice(person, key, "group_offer", text, rows)


async def group_left(
    turn: Turn, session: AsyncSession, township: TownshipGroup, title: str, key: str
) -> list[Outgoing]:
    return [
        turn.notice(
            secretary,
            f"{key}:{township.township_id}",
            "group_left",
            turn.svc.renderer.render(
                "members/group_left.html.j2",
                secretary.language,
                title=title,
                township=township.name,
            ),
            township_id=township.township_id,
        )
        for secretary in await recipients(session, township.township_id, Role.SECRETARY)
    ]


def member_changed(
    turn: Turn, target: Actor, township: str, *, role: str | None, holds: bool
) -> Outgoing:
    """The member is told what a secretary changed (a role given or taken, or their
    membership (de)activated when `role` is None), with their keys as they are now: the
    keyboard follows the change at once, also for a secretary who changed their own roles.
    An update sent twice queues it once."""
    _ = gettext_for(target.language)
    by = turn.actor.name if turn.actor is not None else ""
    own = turn.actor is not None and turn.actor.member_id == target.member_id
    if own and role is not None:
        template = (
            _("You now have the role {role} in {township}.")
            if holds
            else _("You no longer have the role {role} in {township}.")
        )
    elif role is None:
        template = (
            _("{by} reactivated your account in {township}.")
            if holds
            else _(
                "{by} deactivated your account in {township}. If this is a mistake, please "
                "contact your township secretary."
            )
        )
    else:
        template = (
            _("{by} gave you the role {role} in {township}.")
            if holds
            else _("{by} took the role {role} in {township} from you.")
        )
    text: Html = template.format(
        by=by, township=township, role=_(ROLE_LABELS.get(role, role)) if role else ""
    )
    keys = keys_of(_, target.roles, target.active)
    return to_member(
        target,
        f"member-changed:{turn.update.update_id}",
        "member_changed",
        text,
        reply_markup=keys.to_dict(),
    )

"""The conversations and buttons of members and townships, declared: registration (`JOIN`,
open to people who are not members yet), a village's typed name or shared point
(`VILLAGE`), and the buttons outside a flow: the member list and card (`MEMBERS`), the
villages (`VILLAGES`), the township group (`GROUP`) and the language (`LANGUAGE`)."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field

from bot.core.flows import Buttons, Flow
from bot.core.roles import MANAGERS, Role
from bot.core.turn import REGISTRATION_FLOW
from bot.members.guest import GuestFlow

# --- registration -------------------------------------------------------------------------


class JoinStep(enum.StrEnum):
    CONFIRM = "confirm"
    NAME = "name"


class JoinAct(enum.StrEnum):
    CONFIRM = "ok"
    NAME = "name"


class JoinDraft(BaseModel):
    invite_id: int
    # 64 as the members table holds; a typed name is checked against NAME_MAX before.
    name: str = Field(max_length=64)


JOIN: GuestFlow[JoinDraft, JoinStep] = GuestFlow(REGISTRATION_FLOW, "reg", JoinDraft, JoinStep)

# --- a village's name or point ------------------------------------------------------------


class VillageStep(enum.StrEnum):
    NAME = "name"  # a new village's name, or a new name for `village_id`
    POINT = "point"  # a location shared for `village_id`


class VillageAct(enum.StrEnum):
    CANCEL = "x"


class VillageDraft(BaseModel):
    township_id: int
    village_id: int | None = None


VILLAGE: Flow[VillageDraft, VillageStep] = Flow(
    "village", "vlg", VillageDraft, VillageStep, roles=tuple(MANAGERS)
)

# --- buttons outside a flow ---------------------------------------------------------------


class MemberAct(enum.StrEnum):
    """Each carries the township first, then the member where there is one."""

    LIST = "list"
    INVITE = "inv"
    NEW_INVITE = "newinv"
    CARD = "card"
    ROLE = "role"
    VILLAGES = "vils"
    VILLAGE = "vil"
    ACTIVE = "act"
    DEVICES = "dev"
    SIGN_OUT = "out"


# Button arguments of the roles a secretary gives (callback data is short).
ROLE_ARGS: dict[str, Role] = {"c": Role.CADRE, "m": Role.MEDIATOR, "s": Role.SECRETARY}
INVITABLE = (Role.CADRE, Role.MEDIATOR, Role.SECRETARY)

MEMBERS = Buttons("mem", roles=tuple(MANAGERS))


class VillagesAct(enum.StrEnum):
    """Each carries the township first, then the village where there is one."""

    LIST = "l"
    RETIRED = "rl"
    OPEN = "o"
    ADD = "a"
    RENAME = "n"
    POINT = "p"
    RETIRE = "r"
    RESTORE = "u"


VILLAGES = Buttons("vil", roles=tuple(MANAGERS))


class GroupAct(enum.StrEnum):
    SET = "set"  # township, chat


GROUP = Buttons("grp", roles=tuple(MANAGERS))


class LanguageAct(enum.StrEnum):
    SET = "set"


LANGUAGE = Buttons("lang")

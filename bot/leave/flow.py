"""The conversations of /leave, declared: a cadre's request (`REQUEST`, decided by a
secretary) and a secretary's recording for a cadre (`RECORD`, approved at once). Both share
the draft, the steps and most of the table (`bot.leave.steps`); the buttons outside them
(approve, reject, withdraw, the secretary's list) are `BUTTONS`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, Field

from bot.core.flows import Buttons, Flow
from bot.core.roles import Role
from bot.leave.rules import REASON_MAX, Kind


class Step(enum.StrEnum):
    WHO = "who"  # the secretary picks the cadre
    KIND = "kind"
    DATES = "dates"
    REASON = "reason"
    CONFIRM = "confirm"


class Act(enum.StrEnum):
    """Buttons of the two flows."""

    WHO = "who"
    PAGE = "pg"
    KIND = "kind"
    DATES = "d"
    SEND = "send"
    CANCEL = "x"


class Do(enum.StrEnum):
    """Buttons outside the flows; each carries a request's id (the list, a township's)."""

    APPROVE = "ok"
    REJECT = "no"
    IN_FORCE = "ls"
    WITHDRAW = "wd"
    WITHDRAW_YES = "wdy"
    WITHDRAW_NO = "wdn"


# Button arguments of the two kinds (callback data is short).
KIND_ARGS: dict[str, Kind] = {"l": Kind.LEAVE, "d": Kind.DUTY}


class LeaveDraft(BaseModel):
    township_id: int
    member_id: int | None = None  # the cadre it is for: the requester, or the one picked
    kind: Kind | None = None
    start: date | None = None
    end: date | None = None
    reason: str | None = Field(default=None, max_length=REASON_MAX)

    def filing(self) -> Filing | None:
        """The request as it will be filed, once everything is chosen."""
        if (
            self.member_id is None
            or self.kind is None
            or self.start is None
            or self.end is None
            or not self.reason
        ):
            return None
        return Filing(
            self.township_id, self.member_id, self.kind, self.start, self.end, self.reason
        )


@dataclass(frozen=True)
class Filing:
    township_id: int
    member_id: int
    kind: Kind
    start: date
    end: date
    reason: str


def worth_keeping(draft: LeaveDraft) -> bool:
    """A request survives another command once its kind is chosen (its days and reason may
    follow); before that it is a tap or two, and /leave starts afresh."""
    return draft.kind is not None


REQUEST: Flow[LeaveDraft, Step] = Flow(
    "leave", "lvq", LeaveDraft, Step, roles=(Role.CADRE,), keep=worth_keeping
)
RECORD: Flow[LeaveDraft, Step] = Flow(
    "leave_record", "lvr", LeaveDraft, Step, roles=(Role.SECRETARY,), keep=worth_keeping
)
BUTTONS = Buttons("lv")

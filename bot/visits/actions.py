"""The visit log's conversation and buttons, declared: the draft the /visit flow keeps, its
steps, and the actions of its buttons (`vis:`) and of a saved log's buttons (`vl:`)."""

from __future__ import annotations

import enum
from datetime import date

from pydantic import BaseModel, Field

from bot.core.flows import Buttons, Flow, FlowTurn
from bot.core.roles import Role
from bot.visits.rules import MAX_PROBLEMS, MAX_SCREENINGS


class Draft(BaseModel):
    """A visit log being written or edited (kept as JSON in the conversation state)."""

    township_id: int
    visit_id: int | None = None  # the log being edited
    village_id: int | None = None
    day: date
    original_day: date | None = None  # an edited log keeps its own day among those allowed
    activities: list[str] = []
    screenings: int = Field(0, ge=0, le=MAX_SCREENINGS)
    problems: list[str] = Field([], max_length=MAX_PROBLEMS)
    notes: str = ""
    lat: float | None = None
    lon: float | None = None
    photo: str | None = None
    page: int = 0  # of the village picker

    @property
    def shared(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)

    def worth_keeping(self) -> bool:
        """Set aside when another command starts: anything entered beyond an empty start."""
        return (
            self.visit_id is not None
            or self.village_id is not None
            or self.lat is not None
            or self.photo is not None
        )


class Step(enum.StrEnum):
    VILLAGE = "village"
    CARD = "card"
    DATE = "date"
    PROBLEM = "problem"
    SCREENINGS = "screenings"


class Act(enum.StrEnum):
    VILLAGE = "v"  # <village>
    VILLAGE_PAGE = "vp"  # <page>
    DAY = "d"  # <yyyymmdd>
    MORE_DAYS = "dm"
    ACTIVITY = "a"  # <index in the configured activities>
    SCREENINGS = "s"  # <count>
    TYPE_SCREENINGS = "sn"
    PROBLEM = "p"
    DROP_PROBLEM = "px"
    CLEAR_NOTES = "nx"
    BACK = "bk"
    SAVE = "ok"
    CANCEL = "x"


VISIT = Flow("visit", "vis", Draft, Step, roles=(Role.CADRE,), keep=Draft.worth_keeping)
Ctx = FlowTurn[Draft, Step]


class LogAct(enum.StrEnum):
    SHOW = "show"  # <visit>
    EDIT = "edit"  # <visit>
    DELETE = "del"  # <visit>: asks to confirm
    DELETE_YES = "dely"  # <visit>
    LIST = "list"  # <township>
    NEW = "new"  # <township>
    LINK = "lk"  # <visit>: the cases it may link to
    LINK_CASE = "lc"  # <visit>:<case, 0 to unlink>
    NEW_CASE = "nc"  # <visit>: register a case from it


LOGS = Buttons("vl", roles=(Role.CADRE,))

"""The /report conversation, declared: its steps, its button actions and its typed draft.
The functions behind them are in `bot.reports.handlers`.

The report's text itself lives in `weekly_reports.draft` (saved as it is typed); the flow's
draft only says which report, which township and where the cadre is in it."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field

from bot.core.flows import Flow, FlowTurn
from bot.core.roles import Role
from bot.reports.rules import Mode


class Step(enum.StrEnum):
    CARD = "preview"  # the report card: sections, status, submit
    SECTION = "section"  # one section open: typed text goes into it
    WHERE = "where"  # text typed on the card, waiting for the section it belongs to


class Act(enum.StrEnum):
    SECTION = "sec"  # open section i
    SUBMIT = "sub"
    CLOSE = "x"
    MODE = "mode"  # replace or append
    CLEAR = "clr"
    DONE = "done"  # back to the card
    PUT = "put"  # put the waiting text in section i
    DROP = "drop"  # discard the waiting text


class ReportDraft(BaseModel):
    report_id: int
    township_id: int
    section: int | None = Field(default=None, ge=0)
    mode: Mode = Mode.APPEND
    # The next message replaces the section's text (the first one after choosing Replace).
    fresh: bool = False
    # Text typed while no section was open, kept until the cadre says where it goes.
    waiting: str = ""


def _worth_keeping(draft: ReportDraft) -> bool:
    return bool(draft.waiting)


REPORT = Flow(
    "report",
    "rep",
    ReportDraft,
    Step,
    roles=(Role.CADRE,),
    keep=_worth_keeping,
    left_by_commands={Step.SECTION: Step.CARD},
)

# One update inside the flow, as its functions receive it.
Ctx = FlowTurn[ReportDraft, Step]

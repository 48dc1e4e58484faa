"""The ledger's buttons outside a conversation (`cs:<act>:<args…>`, signed for their owner):
a case's card and its actions, lists, figures, the brief, and an admin's township choice.
Every press re-checks who may see the township and the case."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TypeVar

from bot.cases.rules import Action
from bot.core.flows import BadPress, Buttons, Press

T = TypeVar("T")


class Act(enum.StrEnum):
    CARD = "c"  # <case>
    OPEN = "o"  # <case>: the card as a new message (from a reminder's list)
    TIMELINE = "tl"  # <case>
    PHONES = "ph"  # <case>
    PHONE = "pp"  # <case>:<index of the party with a number>
    ACTION = "a"  # <case>:<case version>:<action code>
    LIST = "l"  # <township>:<filter>:<village or 0>:<page>
    VILLAGES = "lv"  # <township>:<page>
    FIGURES = "d"  # <township>:<period>
    GROUPS = "dg"  # <township>:<period>:<c|v>
    DRILL = "dd"  # <township>:<period>:<figure>:<group or ->:<page>
    BRIEF = "b"  # <township>
    BRIEF_PDF = "bp"  # <township>: the brief as a PDF
    TOWNSHIP = "tw"  # <purpose>:<township>: an admin's choice
    START = "s"  # <new|list>: /case alone: register a case, or the case list


BUTTONS = Buttons("cs")

# Short codes of the workflow actions in button data (at most 64 bytes).
ACTION_CODES = {
    Action.START_MEDIATION: "sm",
    Action.RESOLVE: "rs",
    Action.MARK_UNRESOLVED: "un",
    Action.REFER: "rf",
    Action.ESCALATE: "es",
    Action.RECORD_RELIEF: "rl",
    Action.RECORD_FOLLOWUP: "fu",
    Action.REOPEN: "ro",
    Action.ADD_NOTE: "nt",
    Action.REASSIGN: "ra",
}
ACTION_BY_CODE = {code: action for action, code in ACTION_CODES.items()}


def nth(press: Press, index: int, options: Sequence[T]) -> T:
    """The option whose position the press's argument `index` gives (a stale button when
    there is no such option, for example after the configuration changed)."""
    position = press.number(index)
    if not 0 <= position < len(options):
        raise BadPress(index)
    return options[position]

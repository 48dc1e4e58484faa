"""The lists' buttons outside a flow (`rb:`): a table from a typed action to its function."""

from __future__ import annotations

import enum

from bot.core.flows import Buttons


class Act(enum.StrEnum):
    OBJECT = "obj"  # <issue>: the named member starts an objection
    DECIDE = "dec"  # <objection>:<verdict>: the secretary decides an objection
    DECIDE_NOW = "dn"  # <objection>:<verdict>: ... without typing a note
    SHOW = "show"  # <issue>: a published issue from /redblack history
    EXPORT = "exp"  # <township>:<period key>: /export for a period offered as a button


class Verdict(enum.StrEnum):
    UPHOLD = "u"
    REJECT = "r"


BUTTONS = Buttons("rb")

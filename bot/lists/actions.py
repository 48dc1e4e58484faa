"""The lists' buttons outside a flow (`rb:`): a table from a typed action to its function."""

from __future__ import annotations

import enum

from bot.core.flows import Buttons
from bot.core.i18n import N_


class Act(enum.StrEnum):
    OBJECT = "obj"  # <issue>: the named member starts an objection
    DECIDE = "dec"  # <objection>:<verdict>: the secretary decides an objection
    DECIDE_NOW = "dn"  # <objection>:<verdict>: ... without typing a note
    SHOW = "show"  # <issue>: a published issue from /redblack history
    RULES = "rules"  # <issue>: the full rules an issue was drawn up under
    EXPORT = "exp"  # <township>:<period key>: /export for a period offered as a button
    MENU = "m"  # <township>:<subcommand>[:<period>]: /redblack's own buttons


class Verdict(enum.StrEnum):
    UPHOLD = "u"
    REJECT = "r"


BUTTONS = Buttons("rb")

# The full rules, from a list's short summary: a button in a private chat, a deep link
# (`/start rules-<issue>`) from a group.
RULES_BUTTON = N_("📜 Full rules")
RULES_LINK = "rules"

"""The permissions table in docs/permissions.md, generated from the command registry.

`python -m bot.permissions` rewrites the file; a test checks it is current and that the bot
behaves exactly as it says for every role.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import bot.features  # noqa: F401  (feature modules register their commands on import)
from bot.core.commands import COMMANDS
from bot.core.roles import MANAGERS, Role

PROFILES = ("stranger", Role.CADRE, Role.MEDIATOR, Role.SECRETARY, Role.ADMIN, "deactivated")
OTHER_TOWNSHIP = "other township"
CALLBACK_PROFILES = (*PROFILES, OTHER_TOWNSHIP)


@dataclass(frozen=True)
class CallbackRule:
    """Who may press correctly signed button data aimed at an object of township A (the
    cadre, mediator and secretary profiles are members of A; "other township" is a
    secretary of township B). Everyone else gets an alert and nothing changes."""

    key: str
    data: str  # the callback data, as a pattern
    target: str
    allowed: frozenset[str]


CALLBACK_RULES = [
    CallbackRule(
        "visit",
        "`vl:show\\|edit\\|del\\|dely:<visit>`",
        "another cadre's visit log",
        frozenset(),
    ),
    CallbackRule(
        "visit-village",
        "`vis:v:<version>:<village>`",
        "a village of another township, in one's own visit log",
        frozenset(),
    ),
    CallbackRule(
        "members",
        "`mem:list\\|inv\\|newinv\\|card\\|role\\|vils\\|act:<township>:…`",
        "township A's members, invitations",
        MANAGERS,
    ),
    CallbackRule(
        "member-elsewhere",
        "`mem:card\\|act:<township A>:<member of B>`",
        "a member of another township, through one's own township",
        frozenset(),
    ),
    CallbackRule(
        "villages",
        "`vil:l\\|rl\\|o:<township>:…`",
        "township A's villages, in use and retired, and a village's card",
        MANAGERS,
    ),
    CallbackRule(
        "village-elsewhere",
        "`vil:o\\|r:<township A>:<village of B>`",
        "a village of another township, through one's own township",
        frozenset(),
    ),
    CallbackRule(
        "township-group",
        "`grp:set:<township>:<group chat>`",
        "making a group the township group of A",
        MANAGERS,
    ),
    CallbackRule(
        "leave-decision",
        "`lv:ok\\|no:<leave request>`",
        "a leave request in township A",
        MANAGERS,
    ),
    CallbackRule(
        "leave-in-force",
        "`lv:ls:<township>`",
        "township A's approved leave not over yet",
        MANAGERS,
    ),
    CallbackRule(
        "leave-withdraw",
        "`lv:wd\\|wdn:<leave request>`",
        "another cadre's approved leave in township A (cancel or end it early)",
        MANAGERS,
    ),
    CallbackRule(
        "case",
        "`cs:c\\|tl\\|o:<case>`",
        "a dispute case registered by a mediator of A",
        frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}),
    ),
    CallbackRule(
        "case-action",
        "`cs:a:<case>:<version>:<action>`",
        "an action (a note) on a dispute case registered by a mediator of A",
        frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}),
    ),
    CallbackRule(
        "case-phones",
        "`cs:ph\\|pp:<case>…`",
        "the full phone numbers of a dispute case's parties (shown in an alert)",
        frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}),
    ),
    CallbackRule(
        "case-list",
        "`cs:l\\|lv:<township>…`",
        "township A's case list, by village",
        frozenset({Role.CADRE, Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}),
    ),
    CallbackRule(
        "arena-owners",
        "`ar:own\\|tog:<item>…`",
        "the owners of a key work item (擂台赛) of township A",
        MANAGERS,
    ),
    CallbackRule(
        "arena-progress",
        "`ar:upd:<item>`",
        "the progress of a key work item owned by another cadre",
        MANAGERS,
    ),
    CallbackRule(
        "agenda",
        "`agenda:t:<township>`",
        "township A's Monday agenda",
        MANAGERS,
    ),
    CallbackRule(
        "case-figures",
        "`cs:d\\|dg\\|dd\\|b\\|bp:<township>:…`",
        "township A's dispute figures, their cases, the brief and its PDF",
        frozenset({Role.MEDIATOR, Role.SECRETARY, Role.ADMIN}),
    ),
    CallbackRule(
        "report-chase",
        "`rc:st\\|go:<township>…`",
        "township A's weekly reports so far, and reminding those not in yet (催交)",
        MANAGERS,
    ),
]
DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"

HEADER = """# Permissions

Generated from `bot/core/commands.py` by `python -m bot.permissions`;
`tests/e2e/test_permissions.py`
sends every command as every kind of user and checks the bot does exactly this.

- **stranger**: anyone who has not registered through an invitation. Strangers can only
  follow an invitation link (`/start <token>`); everything else is politely refused and
  shows no data (`/start` alone also shows them their own Telegram user id).
- **deactivated**: a member a secretary has deactivated: refused everywhere.
- A person may hold several roles; they may do what any of their roles allows.
- **chats**: where a command may be used. "private": only in a private chat with the bot;
  used in a group chat it gets a short answer with a button that opens the private chat,
  and nothing about anyone is posted there. "private or group": its answer names nobody.
- Every command acts within the member's own township; an admin (county level) chooses
  among all townships. Buttons are signed and re-checked: a button for another township's
  data is refused even if its signature is valid.
- Data visibility inside a command (for example dispute case parties) is described with
  each feature.

"""


def allowed(command_roles: frozenset[str], profile: str) -> bool:
    if profile in ("stranger", "deactivated"):
        return False
    return profile in command_roles


CALLBACK_HEADER = """
## Buttons (callback data)

Every button carries callback data signed for the one person it was sent to
(`bot/core/callbacks.py`): a press by anyone else, in any chat, gets a short alert and
changes nothing, and data the bot never produced is refused as an old button. Signed data
is not trusted either: every press re-checks who is pressing and what the data points at.
`tests/e2e/test_permissions.py` presses correctly signed data aimed at objects of township
A as every profile below and checks the bot does exactly this ("yes": the press works;
"no": an alert, nothing shown or changed). Flow buttons (visit log, report, leave,
registration, case forms) also carry the flow's state version and only work on the flow's
current card.

"""


def render_callbacks() -> str:
    lines = [
        "| key | callback data | aimed at | " + " | ".join(CALLBACK_PROFILES) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in CALLBACK_PROFILES) + " |",
    ]
    for rule in CALLBACK_RULES:
        marks = " | ".join("yes" if p in rule.allowed else "no" for p in CALLBACK_PROFILES)
        lines.append(f"| {rule.key} | {rule.data} | {rule.target} | {marks} |")
    return CALLBACK_HEADER + "\n".join(lines) + "\n"


def parse_callbacks(text: str) -> dict[str, dict[str, bool]]:
    """callback rule key -> profile -> allowed, read back from the document."""
    section = text.split("## Buttons (callback data)", 1)[-1]
    table: dict[str, dict[str, bool]] = {}
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith(("| key", "| ---")):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        table[cells[0]] = dict(
            zip(CALLBACK_PROFILES, (c.strip() == "yes" for c in cells[3:]), strict=True)
        )
    return table


def render() -> str:
    lines = [
        "| command | what it does | chats | " + " | ".join(PROFILES) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in PROFILES) + " |",
    ]
    lines.append(
        "| /start | register with an invitation link, or say hello | private | "
        + " | ".join("yes" for _ in PROFILES[:-1])
        + " | no |"
    )
    for spec in COMMANDS:
        marks = " | ".join("yes" if allowed(spec.roles, p) else "no" for p in PROFILES)
        lines.append(f"| /{spec.name} | {spec.description} | {spec.chats} | {marks} |")
    return HEADER + "\n".join(lines) + "\n" + render_callbacks()


def parse(text: str) -> dict[str, dict[str, bool]]:
    """command -> profile -> allowed, read back from the document."""
    table: dict[str, dict[str, bool]] = {}
    for line in text.split("## Buttons", 1)[0].splitlines():
        if not line.startswith("| /"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0].lstrip("/")] = dict(
            zip(PROFILES, (c == "yes" for c in cells[3:]), strict=True)
        )
    return table


def parse_chats(text: str) -> dict[str, str]:
    """command -> where it may be used ("private", "private or group"), read back."""
    chats: dict[str, str] = {}
    for line in text.split("## Buttons", 1)[0].splitlines():
        if line.startswith("| /"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            chats[cells[0].lstrip("/")] = cells[2]
    return chats


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)

"""The permissions table in docs/permissions.md, generated from the command registry.

`python -m bot.permissions` rewrites the file; a test checks it is current and that the bot
behaves exactly as it says for every role.
"""

from __future__ import annotations

import sys
from pathlib import Path

import bot.handlers  # noqa: F401  (feature modules register their commands on import)
from bot.commands import ADMIN, CADRE, COMMANDS, MEDIATOR, SECRETARY

PROFILES = ("stranger", CADRE, MEDIATOR, SECRETARY, ADMIN, "deactivated")
DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"

HEADER = """# Permissions

Generated from `bot/commands.py` by `python -m bot.permissions`; `tests/e2e/test_permissions.py`
sends every command as every kind of user and checks the bot does exactly this.

- **stranger**: anyone who has not registered through an invitation. Strangers can only
  follow an invitation link (`/start <token>`); everything else is politely refused and
  shows no data.
- **deactivated**: a member a secretary has deactivated: refused everywhere.
- A person may hold several roles; they may do what any of their roles allows.
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


def render() -> str:
    lines = [
        "| command | what it does | " + " | ".join(PROFILES) + " |",
        "| --- | --- | " + " | ".join("---" for _ in PROFILES) + " |",
    ]
    lines.append(
        "| /start | register with an invitation link, or say hello | "
        + " | ".join("yes" for _ in PROFILES[:-1])
        + " | no |"
    )
    for spec in COMMANDS:
        marks = " | ".join("yes" if allowed(spec.roles, p) else "no" for p in PROFILES)
        lines.append(f"| /{spec.name} | {spec.description} | {marks} |")
    return HEADER + "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, dict[str, bool]]:
    """command -> profile -> allowed, read back from the document."""
    table: dict[str, dict[str, bool]] = {}
    for line in text.splitlines():
        if not line.startswith("| /"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0].lstrip("/")] = dict(
            zip(PROFILES, (c == "yes" for c in cells[2:]), strict=True)
        )
    return table


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}", file=sys.stderr)

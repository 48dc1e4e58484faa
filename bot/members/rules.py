"""Pure rules of members and townships: what a typed name may be, and how a person's
townships are named. No Telegram, no database, no clock."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A member's name as colleagues see it.
NAME_MIN, NAME_MAX = 2, 32
# A village's name: short enough for a button, two per row.
VILLAGE_MIN, VILLAGE_MAX = 2, 20
# Besides letters, digits and combining marks, a village name may hold these.
VILLAGE_PUNCTUATION = " ·・-（）()"
# A point shared by location: how far around it a visit counts as in the village.
DEFAULT_RADIUS_M = 1500


class VillageNameProblem(enum.Enum):
    LENGTH = "length"
    CHARACTERS = "characters"
    TAKEN = "taken"  # another active village has it
    RETIRED = "retired"  # a retired village has it: restore that one instead
    SAME = "same"  # the village already has this name


@dataclass(frozen=True)
class ExistingVillage:
    id: int
    name: str
    active: bool


def name_key(name: str) -> str:
    """Names that differ only in width, case or spacing are the same name."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def allowed_in_village_name(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM" or char in VILLAGE_PUNCTUATION


def village_name_problem(
    name: str, villages: Iterable[ExistingVillage], renaming: int | None = None
) -> tuple[VillageNameProblem, ExistingVillage | None] | None:
    """Why `name` (already stripped) cannot be a village's name in a township that has
    `villages`, with the village it collides with; None when it can. `renaming` is the id
    of the village being renamed."""
    if not VILLAGE_MIN <= len(name) <= VILLAGE_MAX:
        return VillageNameProblem.LENGTH, None
    if not all(allowed_in_village_name(c) for c in name) or "  " in name:
        return VillageNameProblem.CHARACTERS, None
    key = name_key(name)
    for village in villages:
        if name_key(village.name) != key:
            continue
        if village.id == renaming:
            # The same village: writing its name differently is a rename, the same is not.
            return (VillageNameProblem.SAME, village) if village.name == name else None
        if village.active:
            return VillageNameProblem.TAKEN, village
        return VillageNameProblem.RETIRED, village
    return None


def name_length_ok(name: str) -> bool:
    return NAME_MIN <= len(name) <= NAME_MAX


@dataclass(frozen=True)
class Belonging:
    """Where a person accepting an invitation to `joining` already belongs: `others`, the
    other townships where they hold a role. With any, they will belong to several, and the
    bot says so plainly before and after."""

    joining: str
    others: tuple[str, ...] = ()

    @property
    def several(self) -> bool:
        return bool(self.others)


class RoleChange(enum.Enum):
    GRANTED = "granted"
    REMOVED = "removed"
    LAST = "last"  # a member keeps at least one role in the township
    OWN_SECRETARY = "own"  # a secretary cannot give up their own secretary role


class InviteProblem(enum.Enum):
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"

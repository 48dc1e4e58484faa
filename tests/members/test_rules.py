"""The pure rules of members and townships: what a typed village name may be."""

from __future__ import annotations

import pytest

from bot.members.rules import (
    Belonging,
    ExistingVillage,
    VillageNameProblem,
    name_key,
    village_name_problem,
)

VILLAGES = [ExistingVillage(1, "东岭村", True), ExistingVillage(2, "西坡村", False)]


@pytest.mark.parametrize(
    ("name", "problem", "other"),
    [
        ("新庄村", None, None),
        ("杨家（上）村", None, None),
        ("Village No 2", None, None),
        ("村", VillageNameProblem.LENGTH, None),
        ("村" * 21, VillageNameProblem.LENGTH, None),
        ("<b>村</b>", VillageNameProblem.CHARACTERS, None),
        ("东岭&村", VillageNameProblem.CHARACTERS, None),
        ("东岭  村", VillageNameProblem.CHARACTERS, None),
        ("东岭村\u200b", VillageNameProblem.CHARACTERS, None),
        ("东 岭 村", VillageNameProblem.TAKEN, 1),
        ("ＥＡＳＴ", None, None),
        ("西坡村", VillageNameProblem.RETIRED, 2),
    ],
)
def test_a_new_village_name(
    name: str, problem: VillageNameProblem | None, other: int | None
) -> None:
    found = village_name_problem(name, VILLAGES)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found[0] is problem
        assert (found[1].id if found[1] else None) == other


def test_renaming_a_village() -> None:
    # Its own name again is no rename; the same name written otherwise is.
    assert village_name_problem("东岭村", VILLAGES, renaming=1) == (
        VillageNameProblem.SAME,
        VILLAGES[0],
    )
    assert village_name_problem("东 岭 村", VILLAGES, renaming=1) is None
    assert village_name_problem("西坡村", VILLAGES, renaming=1) == (
        VillageNameProblem.RETIRED,
        VILLAGES[1],
    )


def test_names_are_compared_without_width_case_or_spaces() -> None:
    assert name_key("ＥＡＳＴ Village") == name_key("eastvillage")


def test_belonging() -> None:
    assert not Belonging("大荆镇").several
    assert Belonging("大荆镇", ("沙河子镇",)).several

"""A deep link typed by hand (`/start rules-…`) with an argument no button would carry gets
the link's own polite answer, never an apology or a database error."""

from __future__ import annotations

import pytest

from bot.lists.reading import RULES_NOT_FOR_YOU
from tests.e2e.helpers import CADRE_LI, ask1, zh


@pytest.mark.parametrize(
    "argument", ["²", "١٢", "99999999999999999999999", "9223372036854775808", "2147483648"]
)
async def test_a_typed_rules_link_with_no_such_id(world, argument) -> None:
    reply = await ask1(world, CADRE_LI.telegram_user_id, f"/start rules-{argument}")
    assert reply.text == zh(RULES_NOT_FOR_YOU)

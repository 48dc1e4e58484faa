"""Markup, 10,000 characters and control characters at every step of both /leave flows, as a
cadre and as a secretary: every reply is delivered (Telegram refuses none), nothing fails,
nothing invalid is stored."""

from __future__ import annotations

from typing import Any

from bot.core.flows import USE_BUTTONS
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, SECRETARY, zh
from tests.e2e.test_bad_input_properties import Processed, check_database

LI = CADRE_LI.telegram_user_id
ZHANG = SECRETARY.telegram_user_id
ODD = ("东" * 10_000, "<b>" * 3000, "\x00\x01\x02", "@@ 11-25 </i> & <b>")
DATES_PROMPT = zh(
    "Which days? Tap below, or type one day such as {day} or next Monday, or a range such as "
    "{range}."
).split("{")[0]
# Ways into each step: presses (the index of a button on the latest message) or typed text.
STEPS: list[tuple[int, list[int | str], str]] = [
    (LI, [], "kind"),
    (LI, [0], "dates"),
    (LI, [1, 0], "reason"),
    (LI, [0, 0, "事假"], "confirm"),
    (ZHANG, [], "who"),
    (ZHANG, [0], "kind"),
    (ZHANG, [0, 1], "dates"),
    (ZHANG, [0, 0, 1], "reason"),
    (ZHANG, [0, 0, 0, "出差"], "confirm"),
]


async def into(world: Any, user_id: int, path: list[int | str], processed: Processed) -> None:
    user = world.user(user_id)
    await user.send("/leave")
    await processed.wait(world.emu.bot().last_update_id)
    for step in path:
        if isinstance(step, str):
            await user.send(step)
        else:
            latest = [m for m in user.history if m.buttons and not m.deleted][-1]
            await user.press_data(latest, [d for row in latest.buttons for _, d in row][step])
        await processed.wait(world.emu.bot().last_update_id)


async def test_every_step_of_both_flows_takes_odd_text(world) -> None:
    processed = Processed().attach(world.app)
    errors: list[BaseException] = []

    async def count_error(update: object, context: Any) -> None:
        errors.append(context.error)

    world.app.add_error_handler(count_error)
    world.clock.set(at(26, 15))
    replies = 0
    for user_id, path, step in STEPS:
        for text in ODD:
            await into(world, user_id, path, processed)
            user = world.user(user_id)
            seen = len(user.history)
            await user.send(text)
            await processed.wait(world.emu.bot().last_update_id)
            answers = user.history[seen:]
            assert answers, (step, text[:5])
            if step in ("kind", "who", "confirm"):
                assert answers[-1].text == zh(USE_BUTTONS), (step, answers[-1].text)
            if step == "dates":
                assert DATES_PROMPT in answers[-1].text, answers[-1].text
            replies += len(answers)
            await user.send("/cancel")
            await processed.wait(world.emu.bot().last_update_id)
    assert [e for e in world.emu.stats.errors if "not modified" not in e[2]] == []
    assert errors == []
    assert replies >= len(STEPS) * len(ODD)
    await check_database(world)

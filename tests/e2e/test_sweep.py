"""A sweep of hostile values through every command and every text step: markup, over-long
text and numbers too large for the database. Every one must get an answer that Telegram
accepts, and none may reach the error handler ("something went wrong") or leave anything
invalid in the database."""

from __future__ import annotations

from typing import Any

import bot.features  # noqa: F401  (registers every command)
from bot.core.commands import COMMANDS
from bot.core.roles import Role
from devkit.sample import ADMIN
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, MEDIATOR_ZHOU, SECRETARY
from tests.e2e.reliability import record_counts
from tests.e2e.test_bad_input_properties import (
    SETUP_USERS,
    SETUPS,
    Processed,
    check_database,
    setup,
)

HOSTILE = [
    "<b>粗体</b> <script>alert(1)</script> a < b && c > d",
    "9" * 40,
    "-" + "9" * 30,
    "１２３４５６７８９０１２３４５６７８９０１２３",
    "东" * 5000 + "</i>",
    "&amp; &lt; &#0;",
]
ANSWERS = ("sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument")


def user_for(roles: frozenset[str]) -> int:
    if Role.CADRE in roles:
        return CADRE_LI.telegram_user_id
    if Role.SECRETARY in roles:
        return SECRETARY.telegram_user_id
    if Role.MEDIATOR in roles:
        return MEDIATOR_ZHOU.telegram_user_id
    return ADMIN.telegram_user_id


class Watch:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.processed = Processed().attach(world.app)
        self.errors: list[BaseException] = []

        async def count_error(update: object, context: Any) -> None:
            self.errors.append(context.error)

        world.app.add_error_handler(count_error)
        self.failures: list[str] = []
        self.sent = 0

    def answers(self) -> int:
        return sum(self.world.emu.stats.requests[m] for m in ANSWERS)

    async def send(self, user_id: int, text: str, what: str) -> None:
        emu = self.world.emu
        before = (len(emu.stats.errors), len(self.errors), self.answers())
        await self.world.user(user_id).send(text)
        await self.processed.wait(emu.bot().last_update_id)
        self.sent += 1
        refused = [e for e in emu.stats.errors[before[0] :] if "not modified" not in e[2]]
        failed = [type(e).__name__ for e in self.errors[before[1] :]]
        if refused or failed:
            self.failures.append(f"{what} {text[:12]!r}: {refused} {failed}")
        elif self.answers() == before[2]:
            self.failures.append(f"{what} {text[:12]!r}: no answer")


async def test_every_command_answers_hostile_arguments(world) -> None:
    world.clock.set(at(26, 15))
    watch = Watch(world)
    for spec in COMMANDS:
        user_id = user_for(spec.roles)
        for value in HOSTILE:
            await watch.send(user_id, f"/{spec.name} {value}", f"/{spec.name}")
            await watch.send(user_id, "/cancel", "/cancel")
    assert watch.failures == [], "\n".join(watch.failures)
    await check_database(world)
    record_counts("hostile_command_arguments", {"messages": watch.sent})


async def test_every_text_step_answers_hostile_values(world) -> None:
    world.clock.set(at(26, 15))
    watch = Watch(world)
    for index, (command, presses) in enumerate(SETUPS):
        if not command:
            continue
        user_id = SETUP_USERS.get(command, CADRE_LI.telegram_user_id)
        for value in HOSTILE:
            await setup(world, user_id, index, watch.processed)
            await watch.send(user_id, value, f"{command} {presses}")
            await watch.send(user_id, "/cancel", "/cancel")
    assert watch.failures == [], "\n".join(watch.failures)
    assert watch.errors == []
    await check_database(world)
    record_counts("hostile_text_steps", {"messages": watch.sent})

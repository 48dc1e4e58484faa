"""Update throughput: cadres logging visits concurrently, against a bare PTB echo bot.

    python bench/throughput.py --cadres 100 --visits 5 [--db sqlite|postgresql] [--json]

Each simulated cadre logs visits through the real /visit flow by its shortest path (the
command, their village, one activity, Save: one sendMessage, three callback queries answered
with an edit each), waiting for the bot's answer before the next tap. Everything is real:
HTTP to the emulator, PTB long polling, database writes, the confirmation card. A visit's
latency runs from sending /visit to the confirmation card.

In the same run, bare PTB echo bots (no database, no logic) on the same emulator serve the
same interaction: the framework's ceiling on this machine. The ratio of the rates is the
figure that matters; the absolute rates depend on the machine. Three echo bots:
- `echo`: PTB's defaults (updates one at a time), replaying the bytes the real bot sent in
  one visit (the same texts and keyboards), so PTB serialises, sends and parses the same;
- `minimal_echo`: PTB's defaults, a short text with one button at every step;
- `configured_echo`: the same replay with PTB configured as the bot configures it
  (`bot.app.telegram_builder`: concurrent updates, flood limiter, retrying requests, HTML
  defaults). The bot minus this one is the bot's own code and database.
`cpu_ms_per_visit` is the CPU time of the whole process per visit: unlike the rates, it
barely moves when other processes load the machine.

Telegram's flood limits are off in the emulator and set far above the traffic in the bot,
because they measure Telegram, not the bot (bench/fanout.py measures them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.common import (
    TOKEN,
    Inbox,
    add_common_args,
    bench_settings,
    database_url,
    fresh_database,
    generate_members,
    machine,
    workdir,
)
from bot.app import build_application, running, telegram_builder
from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.i18n import gettext_for
from devkit.emulator import BotApiEmulator, ChatMessage, EmulatorLimits

TZ = ZoneInfo("Asia/Shanghai")
ECHO_TOKEN = "7000000002:ECHO-token-for-the-emulator"
zh = gettext_for("zh_CN")
TIMEOUT = 60.0

Step = Callable[[int], Awaitable[None]]


Payload = tuple[str, dict[str, Any] | None]  # (HTML text, reply_markup as the bot sent it)


def echo_application(
    base_url: str, payloads: list[Payload] | None = None, like: Settings | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A bare PTB bot with no database and no logic.

    With `like`, PTB is configured exactly as the bot configures it (`telegram_builder`:
    retrying requests, HTML defaults, the flood limiter, concurrent per-user updates), so
    the difference to the bot is the bot's own code and database; without, PTB's defaults.

    With `payloads` (what the real bot sent in one visit: the village picker, two cards and
    the confirmation), it answers the same interaction with the same bytes: the text replays
    the first payload and each press the next one, so PTB serialises, sends and parses exactly
    what it does for the real bot. Without, every answer is a short text with one button (the
    minimal echo bot)."""
    counter = 0
    steps: dict[int, int] = {}

    def minimal() -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("next", callback_data="next")]])

    def payload(user_id: int, step: int) -> tuple[str, InlineKeyboardMarkup | None]:
        assert payloads is not None
        text, markup = payloads[step % len(payloads)]
        steps[user_id] = step
        return text, InlineKeyboardMarkup.de_json(markup, None) if markup else None

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and update.effective_user is not None
        if payloads is None:
            await message.reply_text(f"echo: {message.text}", reply_markup=minimal())
            return
        text, markup = payload(update.effective_user.id, 0)
        await message.reply_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal counter
        query = update.callback_query
        assert query is not None and update.effective_user is not None
        if payloads is None:
            counter += 1
            await query.answer()
            await query.edit_message_text(f"echo: pressed ({counter})", reply_markup=minimal())
            return
        await query.answer()
        text, markup = payload(update.effective_user.id, steps.get(update.effective_user.id, 0) + 1)
        await query.edit_message_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)

    builder = (
        telegram_builder(like, token=ECHO_TOKEN)
        if like is not None
        else ApplicationBuilder().token(ECHO_TOKEN).base_url(base_url)
    )
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    return app


class Visitor:
    """One simulated user talking to one bot; measures each visit."""

    def __init__(self, emu: BotApiEmulator, inbox: Inbox, user_id: int, token: str) -> None:
        self.user = emu.user(user_id, token)
        self.inbox = inbox
        self.latencies: list[float] = []

    async def say(self, text: str) -> ChatMessage:
        sent = await self.user.send(text)
        chat = self.user.chat
        after = int(sent["message_id"])

        def reply() -> ChatMessage | None:
            last = chat.all_messages.get(chat.last_message_id)
            if last is not None and last.from_bot and last.message_id > after:
                return last.snapshot()
            return None

        async with asyncio.timeout(TIMEOUT):
            return await self.inbox.wait(chat, reply)

    async def press(self, message: ChatMessage, label: str) -> ChatMessage:
        await self.user.press(message, label)
        live = self.user.chat.live(message)

        def edited() -> ChatMessage | None:
            return live.snapshot() if live.version > message.version else None

        async with asyncio.timeout(TIMEOUT):
            return await self.inbox.wait(self.user.chat, edited)

    async def echo_visit(self) -> None:
        """The minimal echo bot's visit: a text, then three presses."""
        started = time.perf_counter()
        card = await self.say("/visit")
        for _ in range(3):
            card = await self.press(card, "next")
        self.latencies.append(time.perf_counter() - started)

    async def bot_visit(self, activity: str, record: list[Payload] | None = None) -> None:
        """A visit by the shortest path; the replaying echo bot is driven the same way.
        With `record`, what the bot sent at each step is appended to it."""
        started = time.perf_counter()
        picker = await self.say("/visit")
        card = await self.press(picker, picker.buttons[0][0][0])  # their first 包村 village
        card2 = await self.press(card, f"⬜ {activity}")
        saved = await self.press(card2, zh("✅ Save"))
        if zh("✅ Visit logged.") not in (saved.text or ""):
            raise RuntimeError(f"no confirmation: {(saved.text or '')[:200]}")
        self.latencies.append(time.perf_counter() - started)
        if record is not None:
            record.extend((m.html or m.text or "", m.markup) for m in (picker, card, card2, saved))


CPU = {"seconds": 0.0}  # process CPU time (all threads) of the measured rounds so far


async def run_users(visitors: list[Visitor], visits: int, one: Callable[[Visitor], Any]) -> float:
    async def user_loop(visitor: Visitor) -> None:
        for _ in range(visits):
            await one(visitor)

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(user_loop(v) for v in visitors))
    CPU["seconds"] = time.process_time() - cpu
    return time.perf_counter() - started


def figures(visitors: list[Visitor], seconds: float, cpu_seconds: float) -> dict[str, float]:
    latencies = sorted(x for v in visitors for x in v.latencies)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "visits": len(latencies),
        "seconds": round(seconds, 2),
        "visits_per_second": round(len(latencies) / seconds, 2),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        # CPU of the whole process (bot, emulator and users) per visit: unlike the rates, it
        # barely moves when other processes load the machine.
        "cpu_ms_per_visit": round(cpu_seconds * 1000 / max(1, len(latencies)), 1),
    }


async def main(cadres: int, visits: int, db: str, echo_rounds: int = 1) -> dict[str, object]:
    url = database_url(db, workdir())
    engine = await fresh_database(url)
    emu = BotApiEmulator(
        limits=EmulatorLimits(messages_per_second=None, group_messages_per_minute=None)
    )
    await emu.start()
    inbox = Inbox(emu)
    emu.add_bot(TOKEN, username="bench_bot")
    emu.add_bot(ECHO_TOKEN, username="echo_bot")
    settings = bench_settings(emu.base_url.removesuffix("/bot"), url, 100_000)
    ids = await generate_members(engine, settings, cadres)
    for telegram_id in ids:
        emu.add_user(telegram_id, f"u{telegram_id}")
    activity = settings.visits.activities[0]

    # A Monday morning: today's visits count for this week.
    clock = ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    app = build_application(settings, clock=clock, engine=engine, migrate=False)
    bot_visitors = [Visitor(emu, inbox, t, TOKEN) for t in ids]
    database = {"statements": 0, "transactions": 0}
    payloads: list[Payload] = []

    def statement(*_: Any) -> None:
        database["statements"] += 1

    def transaction(*_: Any) -> None:
        database["transactions"] += 1

    async with running(app):
        await run_users(bot_visitors[:5], 1, lambda v: v.bot_visit(activity))  # warm-up
        await bot_visitors[0].bot_visit(activity, record=payloads)
        for v in bot_visitors:
            v.latencies.clear()
        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        event.listen(engine.sync_engine, "begin", transaction)
        bot_seconds = bot_cpu = 0.0
        for _ in range(echo_rounds):
            bot_seconds += await run_users(bot_visitors, visits, lambda v: v.bot_visit(activity))
            bot_cpu += CPU["seconds"]
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        event.remove(engine.sync_engine, "begin", transaction)
    bot_result = figures(bot_visitors, bot_seconds, bot_cpu)
    for key, count in database.items():
        bot_result[f"{key}_per_visit"] = round(count / max(1, bot_result["visits"]), 1)

    async def echo_run(replay: bool, like: Settings | None = None) -> dict[str, float]:
        echo = echo_application(emu.base_url, payloads if replay else None, like)
        visitors = [Visitor(emu, inbox, t, ECHO_TOKEN) for t in ids]

        def one(v: Visitor) -> Awaitable[None]:
            return v.bot_visit(activity) if replay else v.echo_visit()

        async with running(echo):
            await run_users(visitors[:5], 1, one)  # warm-up
            for v in visitors:
                v.latencies.clear()
            seconds = cpu = 0.0
            for _ in range(echo_rounds):
                seconds += await run_users(visitors, visits, one)
                cpu += CPU["seconds"]
        return figures(visitors, seconds, cpu)

    echo_result = await echo_run(replay=True)
    minimal_result = await echo_run(replay=False)
    configured_result = await echo_run(replay=True, like=settings)

    await emu.stop()
    await engine.dispose()
    rate = bot_result["visits_per_second"]
    return {
        "benchmark": "throughput",
        "database": db,
        "cadres": cadres,
        "visits_per_cadre": visits * echo_rounds,
        "bot": bot_result,
        "echo": echo_result,
        "minimal_echo": minimal_result,
        "configured_echo": configured_result,
        "ratio_to_echo": round(rate / echo_result["visits_per_second"], 3),
        "ratio_to_minimal_echo": round(rate / minimal_result["visits_per_second"], 3),
        "ratio_to_configured_echo": round(rate / configured_result["visits_per_second"], 3),
        "cpu_ratio_to_echo": round(
            echo_result["cpu_ms_per_visit"] / max(0.1, bot_result["cpu_ms_per_visit"]), 3
        ),
        "machine": machine(),
    }


def render(result: dict[str, Any]) -> str:
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--cadres", type=int, default=100)
    parser.add_argument("--visits", type=int, default=5, help="visits per cadre")
    add_common_args(parser)
    args = parser.parse_args()
    result = asyncio.run(main(args.cadres, args.visits, args.db))
    print(json.dumps(result, ensure_ascii=False) if args.json else render(result))

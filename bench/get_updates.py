"""CPU per getUpdates answer: the bot's reading of updates against the library's alone.

    python bench/get_updates.py [--answers 2000] [--rounds 5] [--json]

No network: the getUpdates client answers from memory (a fixed body, as the Bot API sends
it), so what is measured is reading the answer: the body's JSON and each update. The bot's
stack (`bot.core.unreadable.UpdatesBot` over the getUpdates client `ReadableUpdates`) is
compared with python-telegram-bot's `ExtBot` over a plain client, for an answer of one
update and of four (a visit logged: the command, a press, a location, a note), and for an
answer of four with one update the library cannot read (the rare case, read twice).
Reports the best round's CPU time per answer, in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import ExtBot
from telegram.request import BaseRequest

from bench.common import machine
from bot.core.telegram_request import ReadableUpdates
from bot.core.unreadable import UpdatesBot

TOKEN = "123456:" + "B" * 35
USER = {"id": 700000001, "is_bot": False, "first_name": "李明", "language_code": "zh-hans"}
CHAT = {"id": 700000001, "type": "private", "first_name": "李明"}
KEYBOARD = {
    "inline_keyboard": [
        [{"text": f"村{i}", "callback_data": f"v1:visit:{i}:{'x' * 30}"} for i in range(3)]
        for _ in range(3)
    ]
}


def message(message_id: int, **fields: Any) -> dict[str, Any]:
    return {"message_id": message_id, "date": 1764000000, "chat": CHAT, "from": USER, **fields}


VISIT = [
    {
        "update_id": 1,
        "message": message(
            1, text="/visit", entities=[{"type": "bot_command", "offset": 0, "length": 6}]
        ),
    },
    {
        "update_id": 2,
        "callback_query": {
            "id": "9",
            "from": USER,
            "chat_instance": "1",
            "data": "v1:visit:1:sig",
            "message": message(
                2, text="下乡记录：张家村\n听取民意 政策宣传", reply_markup=KEYBOARD
            ),
        },
    },
    {"update_id": 3, "message": message(3, location={"latitude": 34.1, "longitude": 109.9})},
    {"update_id": 4, "message": message(4, text="走访三户村民，了解灌溉用水问题。" * 3)},
]
# A poll as a Bot API server of an older version sends it: without fields the library requires.
OLD_POLL = {"id": "1", "question": "投票", "options": [], "total_voter_count": 0}
ANSWERS = {
    "one_update": VISIT[:1],
    "visit_four_updates": VISIT,
    "four_with_one_unreadable": [
        *VISIT[:3],
        {"update_id": 4, "message": message(4, poll=OLD_POLL)},
    ],
}


class Canned(BaseRequest):
    """Answers every call with `body`."""

    def __init__(self) -> None:
        self.body = b""

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return 200, self.body


class CannedReadable(ReadableUpdates, Canned):
    """The bot's getUpdates client, answering from memory."""


async def cpu_per_answer(bot: ExtBot[Any], request: Canned, body: bytes, answers: int) -> float:
    request.body = body
    for _ in range(min(answers, 200)):  # warm-up
        await bot.get_updates(timeout=0)
    started = time.process_time()
    for _ in range(answers):
        await bot.get_updates(timeout=0)
    return (time.process_time() - started) * 1000 / answers


async def main(answers: int, rounds: int) -> dict[str, Any]:
    # The unreadable update's log line is made (its cost counts) but not printed.
    quiet = logging.getLogger("bot.core.unreadable")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    library_request, bot_request = Canned(), CannedReadable()
    library = ExtBot(TOKEN, request=Canned(), get_updates_request=library_request)
    ours = UpdatesBot(TOKEN, request=Canned(), get_updates_request=bot_request)
    stacks: dict[str, tuple[ExtBot[Any], Canned]] = {
        "library": (library, library_request),
        "bot": (ours, bot_request),
    }
    best: dict[str, dict[str, float]] = {name: {} for name in ANSWERS}
    for name, updates in ANSWERS.items():
        body = json.dumps({"ok": True, "result": updates}, ensure_ascii=False).encode()
        for stack, (bot, request) in stacks.items():
            if name == "four_with_one_unreadable" and stack == "library":
                continue  # the library alone fails the whole answer
            figures = [await cpu_per_answer(bot, request, body, answers) for _ in range(rounds)]
            best[name][stack] = round(min(figures), 3)
    return {
        "benchmark": "get_updates",
        "answers": answers,
        "rounds": rounds,
        "cpu_ms_per_answer": best,
        "machine": machine(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    result = asyncio.run(main(args.answers, args.rounds))
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in result.items())
    )

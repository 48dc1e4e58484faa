"""CPU per Bot API call of each HTTP client ([telegram] http_client), nothing else.

    python bench/http_client.py [--calls 3000] [--concurrency 8] [--rounds 3] [--json]

A minimal Bot API stand-in (aiohttp.web, answering every method with a fixed message) runs
as a process of its own; this process sends `--calls` sendMessage calls with a typical
payload (an HTML text, an inline keyboard) through each client's `BaseRequest.post`, with
`--concurrency` in flight, and reports this process's CPU time per call: the client plus
PTB's encoding of the parameters and parsing of the answer. Rounds alternate the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bench.common import machine
from bot.core.config import parse_settings
from bot.core.telegram_request import bot_api_request

SERVER = """
import sys
from aiohttp import web

ANSWER = (b'{"ok":true,"result":{"message_id":1,"date":0,'
          b'"chat":{"id":1,"type":"private"},"text":"ok"}}')

async def answer(request):
    await request.read()
    return web.Response(body=ANSWER, content_type="application/json")

app = web.Application()
app.router.add_post("/{tail:.*}", answer)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def payload() -> RequestData:
    keyboard = [[{"text": f"村{i}", "callback_data": f"v1:visit:{i}:{'x' * 30}"}] for i in range(6)]
    return RequestData(
        [
            RequestParameter.from_input("chat_id", 10_000_001),
            RequestParameter.from_input("text", "<b>下乡记录</b>\n" + "走访农户，了解民意。" * 10),
            RequestParameter.from_input("parse_mode", "HTML"),
            RequestParameter.from_input("reply_markup", {"inline_keyboard": keyboard}),
        ]
    )


async def cpu_per_call(request: BaseRequest, url: str, calls: int, concurrency: int) -> float:
    data = payload()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await request.post(url, data)

    await request.initialize()
    try:
        await asyncio.gather(*(one() for _ in range(200)))  # warm-up: connections, caches
        started = time.process_time()
        await asyncio.gather(*(one() for _ in range(calls)))
        return (time.process_time() - started) * 1000 / calls
    finally:
        await request.shutdown()


async def main(calls: int, concurrency: int, rounds: int) -> dict[str, Any]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await asyncio.create_subprocess_exec(sys.executable, "-c", SERVER, str(port))
    url = f"http://127.0.0.1:{port}/bot1:BENCH/sendMessage"
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.1)
                    continue
                writer.close()
                break
        figures: dict[str, list[float]] = {"aiohttp": [], "httpx": []}
        for _ in range(rounds):
            for client in figures:
                config = parse_settings({"telegram": {"http_client": client}}).telegram
                request = bot_api_request(config)
                figures[client].append(await cpu_per_call(request, url, calls, concurrency))
    finally:
        server.terminate()
        await server.wait()
    medians = {client: statistics.median(values) for client, values in figures.items()}
    return {
        "benchmark": "http_client",
        "calls": calls,
        "concurrency": concurrency,
        "rounds": rounds,
        "cpu_ms_per_call": {c: round(v, 3) for c, v in medians.items()},
        "runs_ms": {c: [round(v, 3) for v in values] for c, values in figures.items()},
        "httpx_over_aiohttp": round(medians["httpx"] / medians["aiohttp"], 2),
        "machine": machine(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    result = asyncio.run(main(args.calls, args.concurrency, args.rounds))
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in result.items())
    )

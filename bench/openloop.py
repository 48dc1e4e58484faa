"""Open loop: cadres arriving at random log visits; the time from each tap to its answer.

    python bench/openloop.py --rates 5,10,20,30 [--seconds 30] [--think 1.0]
        [--clients aiohttp,httpx] [--instances 2] [--db sqlite|postgresql|URL] [--json]

What users feel at a deadline is the time from a tap to the answer while everyone else is
tapping too. Cadres arrive at random (a Poisson process at a fixed rate of visit logs per
second, for `--seconds`), whether or not the bot keeps up (an open loop: a slow bot does not
slow the arrivals down, unlike bench/throughput.py's closed loop). Each one logs a visit by
the shortest path, the 4 taps of bench/throughput.py (/visit, their village, one activity,
Save), reading each answer for `--think` seconds before the next tap. A tap's latency runs
from sending it to the bot's answer (the new message or the edited card).

The bot runs as its own process, as in production: `township-bot run` against the emulator
in this process, on PostgreSQL when `--db` names it, else SQLite. In the same run, the
configured echo bot (bench/throughput.py: PTB configured as the bot configures it, with no
database and no logic, replaying the bytes the bot sent) runs as its own process too and
is measured at the same rates. For each `--clients` value ([telegram] http_client) both are
measured; a process's CPU per visit comes from /proc (user + system time of the whole
process over the rate's window, divided by the visits completed in it).

The knee of each is the highest rate whose p95 per tap stays under 500 ms with every visit
confirmed; rates above the first that misses are not run.

`--instances N` (PostgreSQL) also measures the bot with `[instance] active = "all"`, as one
process and as N processes sharing the updates (docs/deploy.md), in the same run; their CPU is
the sum over the processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    TOKEN,
    Inbox,
    add_common_args,
    bench_settings,
    bot_run,
    database_url,
    free_port,
    fresh_database,
    generate_members,
    machine,
    start_process,
    workdir,
)
from bench.memory import config_toml
from bench.throughput import ECHO_TOKEN, Payload, Visitor, echo_application
from bot.core.i18n import gettext_for
from devkit.emulator import BotApiEmulator, EmulatorLimits

SCRIPT = Path(__file__).resolve()
TAPS = ("visit", "village", "activity", "save")
KNEE_P95_MS = 500.0
TAP_TIMEOUT = 30.0
STARTUP_TIMEOUT = 120.0
zh = gettext_for("zh_CN")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all processes, all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": math.nan, "p95_ms": math.nan, "p99_ms": math.nan}
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {f"p{k}_ms": round(q[k - 1] * 1000, 1) for k in (50, 95, 99)}


@dataclass
class Window:
    """One rate's measurements."""

    taps: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in TAPS})
    visits: int = 0
    failed: int = 0
    skipped: int = 0  # arrivals that found no idle cadre (the pool is sized to avoid it)
    errors: list[str] = field(default_factory=list)


async def one_visit(visitor: Visitor, activity: str, think: float, window: Window) -> None:
    taps: list[float] = []

    async def tap(step: Any) -> Any:
        started = time.perf_counter()
        answer = await step
        taps.append(time.perf_counter() - started)
        return answer

    try:
        picker = await tap(visitor.say("/visit"))
        await asyncio.sleep(think)
        card = await tap(visitor.press(picker, picker.buttons[0][0][0]))
        await asyncio.sleep(think)
        card2 = await tap(visitor.press(card, f"⬜ {activity}"))
        await asyncio.sleep(think)
        saved = await tap(visitor.press(card2, zh("✅ Save")))
        if zh("✅ Visit logged.") not in (saved.text or ""):
            raise RuntimeError(f"no confirmation: {(saved.text or '')[:100]}")
    except (TimeoutError, RuntimeError, IndexError) as exc:
        window.failed += 1
        if len(window.errors) < 5:
            window.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    else:
        window.visits += 1
    finally:
        for name, seconds in zip(TAPS, taps, strict=False):
            window.taps[name].append(seconds)


class Bench:
    """The emulator, the simulated cadres and the process under test."""

    def __init__(self, emu: BotApiEmulator, cadres: list[int], activity: str, seed: int) -> None:
        self.emu = emu
        self.inbox = Inbox(emu)
        self.cadres = cadres
        self.activity = activity
        self.random = random.Random(seed)

    async def open_loop(
        self, token: str, pids: list[int], rate: float, seconds: float, think: float
    ) -> dict[str, Any]:
        idle = list(self.cadres)
        self.random.shuffle(idle)
        window = Window()
        tasks: set[asyncio.Task[None]] = set()

        async def visit(user_id: int) -> None:
            visitor = Visitor(self.emu, self.inbox, user_id, token)
            try:
                async with asyncio.timeout(4 * (TAP_TIMEOUT + think)):
                    await one_visit(visitor, self.activity, think, window)
            except TimeoutError:
                window.failed += 1
            finally:
                idle.append(user_id)

        loop = asyncio.get_running_loop()
        cpu_before, driver_before = sum(map(cpu_seconds, pids)), time.process_time()
        busy_before = machine_busy_seconds()
        started = loop.time()
        arrival = started
        arrivals = 0
        while True:
            arrival += self.random.expovariate(rate)
            if arrival - started >= seconds:
                break
            await asyncio.sleep(max(0.0, arrival - loop.time()))
            arrivals += 1
            if not idle:
                window.skipped += 1
                continue
            task = asyncio.create_task(visit(idle.pop()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks)
        elapsed = loop.time() - started
        cpu = sum(map(cpu_seconds, pids)) - cpu_before
        driver = time.process_time() - driver_before
        busy = machine_busy_seconds() - busy_before
        every_tap = [t for taps in window.taps.values() for t in taps]
        done = max(1, window.visits)
        result: dict[str, Any] = {
            "rate": rate,
            "arrivals": arrivals,
            "visits": window.visits,
            "failed": window.failed,
            "skipped": window.skipped,
            "seconds": round(elapsed, 1),
            **quantiles(every_tap),
            "cpu_ms_per_visit": round(cpu * 1000 / done, 1),
            "cpu_share": round(cpu / elapsed, 2),  # cores the process kept busy
            # The emulator and the simulated cadres (this process), and the whole machine.
            "driver_cpu_ms_per_visit": round(driver * 1000 / done, 1),
            "machine_busy_cores": round(busy / elapsed, 2),
            "taps": {name: quantiles(values) for name, values in window.taps.items()},
        }
        if window.errors:
            result["errors"] = window.errors
        return result


def meets_target(result: dict[str, Any]) -> bool:
    return (
        result["failed"] == 0
        and result["skipped"] == 0
        and result["visits"] > 0
        and result["p95_ms"] < KNEE_P95_MS
    )


def knee(results: list[dict[str, Any]]) -> float | None:
    best = None
    for result in results:
        if not meets_target(result):
            break
        best = result["rate"]
    return best


class Child:
    """A process under test: the bot (`township-bot run`) or the echo bot."""

    def __init__(self, args: list[str], cwd: Path, health_port: int = 0) -> None:
        self.args = args
        self.cwd = cwd
        self.health_port = health_port
        self.process: asyncio.subprocess.Process | None = None
        self.log = cwd / f"{Path(args[1]).stem if args[1] != '-m' else args[2]}.log"

    async def start(self) -> int:
        with self.log.open("ab") as log:
            self.process = await start_process(self.args, stderr=log, cwd=self.cwd)
        return self.process.pid

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    def check(self) -> None:
        if self.process is not None and self.process.returncode not in (None, 0, -15):
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.args} exited with {self.process.returncode}: {tail}")


async def wait_serving(port: int) -> None:
    """Until the instance's /health says it handles updates (a process has no other signal)."""
    import httpx

    async with asyncio.timeout(STARTUP_TIMEOUT), httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            await asyncio.sleep(0.2)


async def measure(
    bench: Bench,
    child: Child | list[Child],
    token: str,
    rates: list[float],
    seconds: float,
    think: float,
    record: list[Payload] | None = None,
) -> list[dict[str, Any]]:
    children = child if isinstance(child, list) else [child]
    pids = [await children[0].start()]
    try:
        await bench.emu.wait_polling(timeout=STARTUP_TIMEOUT, token=token)
        # The others of a group once the first polls (it holds the lease: the one poller).
        for other in children[1:]:
            pids.append(await other.start())
        for member in children:
            if member.health_port:
                await wait_serving(member.health_port)
        # Warm-up (connections, caches), and what the bot sends in one visit for the echo.
        for user_id in bench.cadres[:5]:
            visitor = Visitor(bench.emu, bench.inbox, user_id, token)
            first = user_id == bench.cadres[0]
            await visitor.bot_visit(bench.activity, record=record if first else None)
        results = []
        for rate in rates:
            result = await bench.open_loop(token, pids, rate, seconds, think)
            results.append(result)
            for member in children:
                member.check()
            if not meets_target(result):
                break
        return results
    finally:
        await asyncio.gather(*(member.stop() for member in children))
        for member in children:
            member.check()


def shared_instances(work: Path, api_base: str, url: str, client: str, count: int) -> list[Child]:
    """`count` bot processes with active = "all" on one database, each with its health port."""
    children = []
    for i in range(count):
        port = free_port()
        config = work / f"config-{client}-all{count}-{i}.toml"
        config.write_text(
            config_toml(api_base, url, telegram={"http_client": client})
            + f'[instance]\nactive = "all"\nhealth_port = {port}\n',
            encoding="utf-8",
        )
        children.append(Child(bot_run(config), work, health_port=port))
    return children


async def main(
    rates: list[float],
    seconds: float,
    think: float,
    clients: list[str],
    db: str,
    cadres: int | None = None,
    seed: int = 20261127,
    instances: int = 1,
) -> dict[str, Any]:
    work = workdir()
    url = database_url(db, work)
    if instances > 1 and url.startswith("sqlite"):
        raise SystemExit('--instances needs PostgreSQL (active = "all"): give --db postgresql')
    emu = BotApiEmulator(
        limits=EmulatorLimits(messages_per_second=None, group_messages_per_minute=None)
    )
    await emu.start()
    emu.add_bot(TOKEN, username="bench_bot")
    emu.add_bot(ECHO_TOKEN, username="echo_bot")
    api_base = emu.base_url.removesuffix("/bot")
    settings = bench_settings(api_base, url, 10_000)
    # Enough cadres that an arrival always finds one idle, even when answers come slowly.
    count = cadres or max(20, math.ceil(max(rates) * (4 * think + 10) * 1.5))
    runs: dict[str, Any] = {}
    # One database for the whole run: the visits of the first client's rounds add a few
    # thousand rows to tables the visit flow reads by index.
    engine = await fresh_database(url)
    ids = await generate_members(engine, settings, count)
    await engine.dispose()
    for telegram_id in ids:
        emu.add_user(telegram_id, f"u{telegram_id}")
    try:
        for client in clients:
            bench = Bench(emu, ids, settings.visits.activities[0], seed)
            config = work / f"config-{client}.toml"
            config.write_text(
                config_toml(api_base, url, telegram={"http_client": client}), encoding="utf-8"
            )
            payloads: list[Payload] = []
            bot = Child(bot_run(config), work)
            bot_results = await measure(bench, bot, TOKEN, rates, seconds, think, payloads)
            payload_file = work / "payloads.json"
            payload_file.write_text(json.dumps(payloads, ensure_ascii=False), encoding="utf-8")
            echo = Child(
                [
                    sys.executable,
                    str(SCRIPT),
                    "--serve-echo",
                    str(payload_file),
                    "--config",
                    str(config),
                ],
                work,
            )
            echo_results = await measure(bench, echo, ECHO_TOKEN, rates, seconds, think)
            shared: dict[str, list[dict[str, Any]]] = {}
            if instances > 1:
                for n in (1, instances):
                    group = shared_instances(work, api_base, url, client, n)
                    shared[str(n)] = await measure(bench, group, TOKEN, rates, seconds, think)
            bot_knee, echo_knee = knee(bot_results), knee(echo_results)
            runs[client] = {
                "bot": bot_results,
                "configured_echo": echo_results,
                "bot_knee": bot_knee,
                "echo_knee": echo_knee,
                # False: every rate met the target, the knee lies higher than the rates run.
                "bot_knee_found": not meets_target(bot_results[-1]),
                "echo_knee_found": not meets_target(echo_results[-1]),
                "knee_ratio": round(bot_knee / echo_knee, 2) if bot_knee and echo_knee else None,
            }
            if shared:
                knees = {n: knee(results) for n, results in shared.items()}
                one, many = knees["1"], knees[str(instances)]
                runs[client]["all_active"] = {
                    "instances": shared,
                    "knees": knees,
                    "knees_found": {n: not meets_target(r[-1]) for n, r in shared.items()},
                    "ratio_to_one": round(many / one, 2) if one and many else None,
                }
    finally:
        await emu.stop()
    return {
        "benchmark": "openloop",
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "rates": rates,
        "seconds_per_rate": seconds,
        "think_seconds": think,
        "cadres": count,
        "knee_p95_ms": KNEE_P95_MS,
        "runs": runs,
        "machine": machine(),
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"open loop, {result['database']}, {result['seconds_per_rate']} s per rate, think "
        f"{result['think_seconds']} s, {result['cadres']} cadres; {result['machine']}",
        f"knee: the highest rate whose p95 per tap < {result['knee_p95_ms']:.0f} ms",
        "",
        "client   process  rate/s  visits  failed  p50 ms  p95 ms  p99 ms  CPU ms/visit"
        "  cores  machine",
    ]
    for client, run in result["runs"].items():
        series = [("bot", run["bot"]), ("echo", run["configured_echo"])]
        shared = run.get("all_active")
        if shared:
            series += [(f"all x{n}", results) for n, results in shared["instances"].items()]
        for name, results in series:
            for r in results:
                lines.append(
                    f"{client:8} {name:7} {r['rate']:7g} {r['visits']:7d} "
                    f"{r['failed'] + r['skipped']:7d} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} "
                    f"{r['p99_ms']:7.1f} {r['cpu_ms_per_visit']:13.1f} {r['cpu_share']:6.2f}"
                    f" {r['machine_busy_cores']:8.2f}"
                )
        bot_knee = f"{'' if run['bot_knee_found'] else '>= '}{run['bot_knee']}/s"
        echo_knee = f"{'' if run['echo_knee_found'] else '>= '}{run['echo_knee']}/s"
        lines.append(
            f"{client}: bot knee {bot_knee}, configured echo knee {echo_knee}, "
            f"ratio {run['knee_ratio']}"
        )
        if shared:
            knees = ", ".join(
                f"x{n} {'' if shared['knees_found'][n] else '>= '}{k}/s"
                for n, k in shared["knees"].items()
            )
            lines.append(f'{client}: active = "all" knees {knees}, ratio {shared["ratio_to_one"]}')
    return "\n".join(lines)


async def serve_echo(payloads: list[Payload], config: Path) -> None:
    """The configured echo bot as a process of its own (run by `main`)."""
    from bot.app import running
    from bot.core.config import load_settings

    settings = load_settings(config)
    app = echo_application(settings.telegram.base_url, payloads, like=settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(app):
        await stop.wait()


def parse_rates(text: str) -> list[float]:
    return sorted(float(r) for r in text.split(",") if r.strip())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--rates", type=parse_rates, default=parse_rates("5,10,20,30,40,60"))
    parser.add_argument("--seconds", type=float, default=30.0, help="arrivals per rate")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between taps")
    parser.add_argument("--clients", default="aiohttp,httpx", help="[telegram] http_client")
    parser.add_argument("--cadres", type=int, default=None)
    parser.add_argument(
        "--instances", type=int, default=1, help='also N processes with active = "all"'
    )
    parser.add_argument("--serve-echo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    add_common_args(parser)
    args = parser.parse_args()
    if args.serve_echo:
        recorded = json.loads(args.serve_echo.read_text(encoding="utf-8"))
        asyncio.run(serve_echo([(text, markup) for text, markup in recorded], args.config))
        sys.exit(0)
    result = asyncio.run(
        main(
            args.rates,
            args.seconds,
            args.think,
            [c.strip() for c in args.clients.split(",") if c.strip()],
            args.db,
            args.cadres,
            instances=args.instances,
        )
    )
    print(json.dumps(result, ensure_ascii=False) if args.json else render(result))

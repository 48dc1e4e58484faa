"""Smoke runs of the benchmarks (bench/*.py) at tiny sizes, so the scripts keep working.

No timing assertions: only that each ran and its figures are sane (nothing lost or sent
twice, every visit confirmed). The database is the suite's (TOWNSHIP_TEST_DATABASE_URL on
PostgreSQL, else a copy of the migrated SQLite template)."""

from __future__ import annotations

import json

import pytest

from bench import (
    charts,
    county,
    fanout,
    get_updates,
    http_client,
    memory,
    openloop,
    takeover,
    throughput,
)
from bot.core.db.engine import is_sqlite


async def test_fanout(database_url: str) -> None:
    result = await fanout.main(members=30, rate=300, db=database_url)
    assert result["duplicates"] == 0 and result["lost"] == 0
    assert result["responses_429"] == 0
    assert float(result["share_of_allowed"]) > 0  # type: ignore[arg-type]


async def test_throughput(database_url: str) -> None:
    result = await throughput.main(cadres=3, visits=1, db=database_url)
    assert result["bot"]["visits"] == 3 and result["echo"]["visits"] == 3  # type: ignore[index]
    assert result["minimal_echo"]["visits"] == 3  # type: ignore[index]
    assert result["bot"]["cpu_ms_per_visit"] > 0  # type: ignore[index]
    assert float(result["ratio_to_echo"]) > 0  # type: ignore[arg-type]
    assert "ratio_to_echo" in throughput.render(result)


async def test_county(database_url: str) -> None:
    result = await county.main([40], database_url, weeks=3, repeat=1)
    [run] = result["runs"]  # type: ignore[misc]
    assert run["rows"]["members"] == 40 and run["rows"]["visits"] > 0
    assert set(run["ops"]) == {"agenda", "summary", "lists_week", "lists_month", "lists_quarter"}
    # The lists read the same number of statements whatever the period: no per-week loops.
    queries = {run["ops"][f"lists_{k}"]["queries"] for k in ("week", "month", "quarter")}
    assert len(queries) == 1
    assert "lists_quarter" in county.render(json.loads(json.dumps(result)))


async def test_memory(database_url: str) -> None:
    result = await memory.main(members=50, active=2, visits=1, db=database_url)
    assert result["visits"] == 2
    assert 0 < result["rss_after_start_mb"] <= result["peak_rss_mb"]


async def test_openloop(database_url: str) -> None:
    """Both HTTP clients, the bot and the configured echo as processes of their own."""
    # Arrivals are seeded: at these rates every one-second window gets some.
    result = await openloop.main(
        rates=[2.0, 4.0], seconds=1.0, think=0.05, clients=["aiohttp", "httpx"], db=database_url
    )
    assert set(result["runs"]) == {"aiohttp", "httpx"}
    for run in result["runs"].values():
        for key in ("bot", "configured_echo"):
            for window in run[key]:
                assert window["failed"] == 0 and window["skipped"] == 0
                assert window["visits"] > 0 and window["cpu_ms_per_visit"] > 0
                assert set(window["taps"]) == set(openloop.TAPS)
    assert "bot knee" in openloop.render(json.loads(json.dumps(result)))


async def test_openloop_two_active_instances(database_url: str) -> None:
    """One against two `township-bot run` processes sharing the updates (active = "all")."""
    if is_sqlite(database_url):
        pytest.skip('several active instances (active = "all") need PostgreSQL')
    result = await openloop.main(
        rates=[4.0], seconds=1.0, think=0.05, clients=["aiohttp"], db=database_url, instances=2
    )
    shared = result["runs"]["aiohttp"]["all_active"]
    assert set(shared["instances"]) == {"1", "2"}
    for windows in shared["instances"].values():
        for window in windows:
            assert window["failed"] == 0 and window["skipped"] == 0
            assert window["visits"] > 0 and window["cpu_ms_per_visit"] > 0
    assert 'active = "all" knees' in openloop.render(json.loads(json.dumps(result)))


async def test_http_client() -> None:
    result = await http_client.main(calls=20, concurrency=2, rounds=1)
    assert set(result["cpu_ms_per_call"]) == {"aiohttp", "httpx"}  # type: ignore[arg-type]
    assert all(v > 0 for v in result["cpu_ms_per_call"].values())  # type: ignore[attr-defined]


async def test_get_updates() -> None:
    result = await get_updates.main(answers=5, rounds=1)
    figures = result["cpu_ms_per_answer"]
    assert set(figures) == set(get_updates.ANSWERS)
    assert all(v > 0 for stacks in figures.values() for v in stacks.values())


async def test_charts() -> None:
    result = await charts.main(cadres=3, repeat=1)
    assert set(result["child"]) == {"start_only", "dashboard_png", "pdf_two_charts", "pdf_no_chart"}
    assert all(v > 0 for v in result["in_process_s"].values())
    assert result["child_peak_rss_mb"] > 0 and "child peak" in charts.render(result)


async def test_takeover(database_url: str) -> None:
    """Two `township-bot run` processes; the active one killed once mid-fan-out."""
    # A tick of a second: the first batch goes out at once, not after the default 30 s.
    result = await takeover.main(members=20, kills=1, db=database_url, lease=3, renew=0.5, tick=1)
    assert result["lost"] == 0 and result["members"] == 20
    [kill] = result["takeovers"]
    assert 0 < kill["active_after_s"] <= kill["next_send_after_s"]

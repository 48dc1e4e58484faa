"""County-scale reports: the Monday agenda, the weekly summary and the red/black lists.

    python bench/county.py --sizes 1000,10000 [--db sqlite|postgresql] [--weeks 52] [--reuse]
                           [--repeat 3] [--json]

A county of 20 townships (20 villages each) with `size` cadres, and `--weeks` weeks (a year)
of history before the reference Monday: three visit logs a week per cadre (fewer for some),
a problem solved on every fourth visit, a weekly report (on time, late or missing), a 问题与
需求 item in every third report, and a dispute case per ten cadres a month; every 50th
cadre joined six weeks ago. Inserted in bulk: INSERT ... RETURNING in chunks on SQLite, COPY
for the big tables on PostgreSQL (then VACUUM ANALYZE, as autovacuum would).

Measured, each once to warm up and then timed (best of `--repeat`), then once more under
tracemalloc for the peak of Python memory:
- agenda: the Monday agenda's data for one township (the week overview `cadre_weeks`, the
  问题与需求 items `needs_by_village`, the dispute figures and the brief of open cases);
- summary: the weekly summary for the county (every township's week overview and report
  counts);
- lists_week / lists_month / lists_quarter: the red and black lists of every township (the
  whole county) for the last complete week, month and quarter, the way the bot computes them
  (/redblack, previews, the ledger): `bot.lists.queries.compute_snapshot` with the provider the
  running bot installs, `bot.lists.facts.database_facts(settings)` — the facts, then
  `bot.lists.rules.evaluate`, then the snapshot with every member's explanation.
`queries` counts the SQL statements of one run: constant in the number of cadres means no
per-row query loops.

`--reuse` keeps the generated data for the next run (SQLite: a file under the temporary
directory named after the size; PostgreSQL: the database is left as it is) and skips the
generation when the database already holds the county of that size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import JSON, event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.common import add_common_args, database_url, fresh_database, machine, workdir
from bot.cases import facts as case_facts
from bot.core.config import Settings, parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import create_engine, is_sqlite, session_factory
from bot.core.db.migrate import upgrade
from bot.core.models import (
    DisputeCase,
    FieldVisit,
    Member,
    MemberRole,
    ReportItem,
    Township,
    Village,
    VillageAssignment,
    VisitProblem,
    WeeklyReport,
)
from bot.lists import queries as redblack_db
from bot.lists.facts import database_facts
from bot.lists.periods import latest_complete
from bot.lists.rules import Period
from bot.reports import queries as report_db
from bot.week import facts
from bot.week.schedule import week_rules
from devkit.sample import sample_config

TZ = ZoneInfo("Asia/Shanghai")
TOWNSHIPS = 20
VILLAGES = 20
# The reference moment: Monday 2026-11-23 09:00, after the agenda; the week reported on is
# the one before.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
MONDAY = date(2026, 11, 23)
LAST_WEEK = MONDAY - timedelta(days=7)
CHUNK = 5000
KINDS = ("week", "month", "quarter")


def county_settings(url: str) -> Settings:
    config = sample_config("7000000001:COUNTY", "http://127.0.0.1:9", url)
    config["townships"] = [
        {
            "code": f"T{t:02d}",
            "name": f"第{t}镇",
            "villages": [{"name": f"{t}镇{v}村"} for v in range(1, VILLAGES + 1)],
        }
        for t in range(1, TOWNSHIPS + 1)
    ]
    return parse_settings(config, "bench")


async def _bulk(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert in chunks; returns the new ids when the table has an `id`."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if hasattr(table, "id"):
            result = await session.execute(insert(table).returning(table.id), chunk)
            ids.extend(result.scalars().all())
        else:
            await session.execute(insert(table), chunk)
    return ids


class _Copy:
    """PostgreSQL: the big tables are loaded with COPY, the ids numbered here (the tables are
    empty), instead of INSERT ... RETURNING: the same rows, several times faster."""

    def __init__(self, session: AsyncSession, driver: Any) -> None:
        self.session = session
        self.driver = driver  # the asyncpg connection, in the session's transaction
        self.last: dict[str, int] = {}

    @classmethod
    async def of(cls, session: AsyncSession) -> _Copy:
        raw = await (await session.connection()).get_raw_connection()
        return cls(session, raw.driver_connection)

    async def rows(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        name = table.__tablename__
        first = self.last.get(name, 0) + 1
        ids = list(range(first, first + len(rows)))
        self.last[name] = ids[-1]
        encoded = {c.name for c in table.__table__.columns if isinstance(c.type, JSON)}
        columns = list(rows[0])
        records = [
            (i, *[json.dumps(row[c]) if c in encoded else row[c] for c in columns])
            for i, row in zip(ids, rows, strict=True)
        ]
        await self.driver.copy_records_to_table(name, records=records, columns=["id", *columns])
        return ids

    async def finish(self) -> None:
        for name, last in self.last.items():
            await self.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {last})")
            )


async def generate(
    engine: AsyncEngine, settings: Settings, cadres: int, weeks: int
) -> dict[str, int]:
    """The county's data, deterministic for a size. Returns row counts."""
    rng = random.Random(cadres)
    sessions = session_factory(engine)
    counts: dict[str, int] = {}
    async with sessions() as session, session.begin():
        copy = None if is_sqlite(str(engine.url)) else await _Copy.of(session)

        async def big(table: Any, rows: list[dict[str, Any]]) -> list[int]:
            return await (copy.rows(table, rows) if copy else _bulk(session, table, rows))

        await member_db.sync_townships(session, settings)
        townships = {t.code: t.id for t in await session.scalars(select(Township))}
        villages: dict[int, list[int]] = {}
        for township_id, village_id in await session.execute(
            select(Village.township_id, Village.id).order_by(Village.id)
        ):
            villages.setdefault(township_id, []).append(village_id)
        township_ids = [townships[f"T{t:02d}"] for t in range(1, TOWNSHIPS + 1)]
        # Members joined before the history starts, every 50th six weeks ago (mid-quarter):
        # the lists judge a member from the first full week after joining.
        joined = datetime.combine(MONDAY - timedelta(weeks=weeks + 1), dtime(9), TZ)
        recently = datetime.combine(MONDAY - timedelta(weeks=6), dtime(9), TZ)
        member_ids = await _bulk(
            session,
            Member,
            [
                {
                    "telegram_user_id": 20_000_000 + i,
                    "display_name": f"干部{i:06d}",
                    "language": "zh_CN",
                    "active": True,
                    "unreachable": False,
                    "created_at": recently if i % 50 == 49 else joined,
                }
                for i in range(cadres)
            ],
        )
        home = {m: township_ids[i % TOWNSHIPS] for i, m in enumerate(member_ids)}
        village_of = {
            m: villages[home[m]][(i // TOWNSHIPS) % VILLAGES] for i, m in enumerate(member_ids)
        }
        await _bulk(
            session,
            MemberRole,
            [{"member_id": m, "township_id": home[m], "role": "cadre"} for m in member_ids],
        )
        await _bulk(
            session,
            VillageAssignment,
            [{"member_id": m, "village_id": village_of[m]} for m in member_ids],
        )
        counts["members"] = len(member_ids)
        first_monday = MONDAY - timedelta(weeks=weeks)
        visits: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        visit_count = report_count = item_count = problem_count = 0
        for w in range(weeks):
            monday = first_monday + timedelta(weeks=w)
            deadline = datetime.combine(monday + timedelta(days=4), dtime(17, 0), TZ)
            for m in member_ids:
                diligence = m % 7  # 0: a slacker (one visit, no report); 1: late reports
                for day in (0, 1, 3)[: 1 if diligence == 0 else 3]:
                    stamp = datetime.combine(monday + timedelta(days=day), dtime(16), TZ)
                    visits.append(
                        {
                            "member_id": m,
                            "township_id": home[m],
                            "village_id": village_of[m],
                            "visit_date": monday + timedelta(days=day),
                            "backfilled": False,
                            "activities": ["听取民意"],
                            "dispute_screenings": 1 if day == 0 else 0,
                            "problems_solved": 0,
                            "notes": "",
                            "location_checked": False,
                            "created_at": stamp,
                            "updated_at": stamp,
                        }
                    )
                if diligence != 0 or rng.random() < 0.3:
                    at = deadline + (timedelta(hours=5) if diligence == 1 else -timedelta(hours=3))
                    reports.append(
                        {
                            "member_id": m,
                            "township_id": home[m],
                            "week_start": monday,
                            "status": "submitted",
                            "draft": {},
                            "digest_auto": True,
                            "revision": 1,
                            "first_submitted_at": at,
                            "submitted_at": at,
                            "late": diligence == 1,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
            if len(visits) >= 4 * CHUNK or w == weeks - 1:
                for visit in visits[::4]:  # a problem solved on every fourth visit log
                    visit["problems_solved"] = 1
                visit_ids = await big(FieldVisit, visits)
                problems = [
                    {"visit_id": v, "position": 0, "description": "帮助群众解决实际问题"}
                    for v in visit_ids[::4]
                ]
                await big(VisitProblem, problems)
                report_ids = await big(WeeklyReport, reports)
                items = [
                    {
                        "report_id": rid,
                        "township_id": row["township_id"],
                        "member_id": row["member_id"],
                        "week_start": row["week_start"],
                        "village_id": village_of[row["member_id"]],
                        "position": 0,
                        "text": "村道需要修缮",
                    }
                    for rid, row in list(zip(report_ids, reports, strict=True))[::3]
                ]
                await big(ReportItem, items)
                visit_count += len(visit_ids)
                problem_count += len(problems)
                report_count += len(report_ids)
                item_count += len(items)
                visits, reports = [], []
        cases = []
        seq: dict[tuple[int, int], int] = {}
        for i in range(cadres * weeks // 43):  # one per ten cadres a month
            opener = member_ids[rng.randrange(cadres)]
            registered = first_monday + timedelta(days=rng.randrange(weeks * 7))
            township_id = home[opener]
            key = (township_id, registered.year)
            seq[key] = seq.get(key, 0) + 1
            closed = registered < MONDAY - timedelta(days=60) and i % 5 != 0
            stamp = datetime.combine(registered, dtime(10), TZ)
            cases.append(
                {
                    "township_id": township_id,
                    "number": f"{registered.year}-{seq[key]:05d}",
                    "year": registered.year,
                    "seq": seq[key],
                    "village_id": village_of[opener],
                    "category": "neighbourhood",
                    "source": "walk_in",
                    "tier": "ordinary",
                    "status": "closed" if closed else "mediating",
                    "description": "邻里纠纷",
                    "people_count": 2,
                    "registered_on": registered,
                    "deadline": registered + timedelta(days=30),
                    "opened_by": opener,
                    "mediator_id": opener,
                    "mediation_started_on": registered,
                    "resolved_on": registered + timedelta(days=20) if closed else None,
                    "closed_on": registered + timedelta(days=40) if closed else None,
                    "relief_total_fen": 0,
                    "relief_count": 0,
                    "reopened_count": 0,
                    "version": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        await _bulk(session, DisputeCase, cases)
        if copy:
            await copy.finish()
    counts.update(
        visits=visit_count,
        problems=problem_count,
        reports=report_count,
        report_items=item_count,
        cases=len(cases),
    )
    return counts


# --- what is measured ----------------------------------------------------------------------


async def township_ids(session: AsyncSession) -> list[tuple[int, str]]:
    return [(t.id, t.code) for t in await member_db.townships(session)]


async def agenda(session: AsyncSession, settings: Settings) -> int:
    """The Monday agenda's data for one township (T01) about last week."""
    township = await member_db.township_by_code(session, "T01")
    assert township is not None
    rules = week_rules(settings, "T01")
    weeks = await facts.cadre_weeks(session, township.id, LAST_WEEK, rules, NOW)
    needs = await report_db.needs_by_village(session, township.id, LAST_WEEK)
    figures = await case_facts.dispute_figures(
        session, township.id, LAST_WEEK, LAST_WEEK + timedelta(days=6), MONDAY
    )
    brief = await case_facts.brief_items(session, township.id, MONDAY)
    assert figures is not None
    return len(weeks) + len(needs) + len(brief)


async def summary(session: AsyncSession, settings: Settings) -> int:
    """The county's weekly summary: each township's week overview and report counts."""
    total = 0
    for township_id, code in await township_ids(session):
        rules = week_rules(settings, code)
        weeks = await facts.cadre_weeks(session, township_id, LAST_WEEK, rules, NOW)
        counts = await report_db.report_counts(session, township_id, LAST_WEEK)
        total += len(weeks) + counts["submitted"]
    return total


def lists_for(period: Period) -> Callable[[AsyncSession, Settings], Awaitable[int]]:
    """The whole county's lists: every township's snapshot, as the bot computes it."""

    async def lists(session: AsyncSession, settings: Settings) -> int:
        facts = database_facts(settings)
        listed = 0
        for township in await member_db.townships(session):
            snapshot = await redblack_db.compute_snapshot(
                session, settings, township, period, facts, NOW
            )
            listed += len(snapshot["red"]) + len(snapshot["black"])
        return listed

    return lists


def operations() -> dict[str, Callable[[AsyncSession, Settings], Awaitable[int]]]:
    return {
        "agenda": agenda,
        "summary": summary,
        **{f"lists_{kind}": lists_for(latest_complete(kind, MONDAY)) for kind in KINDS},
    }


async def measure(
    engine: AsyncEngine, settings: Settings, repeat: int
) -> dict[str, dict[str, float | int]]:
    sessions = session_factory(engine)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    results: dict[str, dict[str, float | int]] = {}
    for name, operation in operations().items():
        async with sessions() as session:
            await operation(session, settings)  # warm-up (caches, plans)
        best = float("inf")
        for _ in range(repeat):
            statements = 0
            async with sessions() as session:
                started = time.perf_counter()
                await operation(session, settings)
                best = min(best, time.perf_counter() - started)
            queries = statements
        tracemalloc.start()
        async with sessions() as session:
            await operation(session, settings)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[name] = {
            "seconds": round(best, 3),
            "peak_mb": round(peak / 2**20, 1),
            "queries": queries,
        }
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    return results


async def _holds(engine: AsyncEngine, cadres: int, weeks: int) -> bool:
    """Whether the database already holds the generated county of this size."""
    first = MONDAY - timedelta(weeks=weeks)
    try:
        async with engine.connect() as conn:
            members = await conn.scalar(select(func.count(Member.id)))
            earliest = await conn.scalar(select(func.min(FieldVisit.visit_date)))
    except Exception:
        return False
    return members == cadres and earliest == first


def _kept_file(size: int, weeks: int) -> Path:
    """Where `--reuse` keeps a SQLite county."""
    folder = Path(tempfile.gettempdir()) / "township-county"
    folder.mkdir(exist_ok=True)
    return folder / f"county-{size}-{weeks}.db"


async def _county_database(
    db: str, size: int, weeks: int, reuse: bool
) -> tuple[AsyncEngine, str, bool]:
    """The database for one size: (engine, url, whether it still needs the data)."""
    if reuse and db == "sqlite":
        url = f"sqlite+aiosqlite:///{_kept_file(size, weeks)}"
    else:
        url = database_url(db, workdir())
    if reuse:
        engine = create_engine(url)
        if await _holds(engine, size, weeks):
            await upgrade(engine)
            return engine, url, False
        await engine.dispose()
        if is_sqlite(url):
            _kept_file(size, weeks).unlink(missing_ok=True)
    return await fresh_database(url), url, True


async def main(
    sizes: list[int], db: str, weeks: int, repeat: int, *, reuse: bool = False
) -> dict[str, object]:
    runs = []
    for size in sizes:
        engine, url, empty = await _county_database(db, size, weeks, reuse)
        settings = county_settings(url)
        started = time.perf_counter()
        if empty:
            counts = await generate(engine, settings, size, weeks)
            if not is_sqlite(url):  # what autovacuum does after a bulk load
                async with engine.connect() as conn:
                    autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await autocommit.execute(text("VACUUM ANALYZE"))
        else:
            counts = await row_counts(engine)
        generated = time.perf_counter() - started
        runs.append(
            {
                "cadres": size,
                "weeks": weeks,
                "rows": counts,
                "generate_seconds": round(generated, 1) if empty else None,
                "ops": await measure(engine, settings, repeat),
            }
        )
        await engine.dispose()
    return {"benchmark": "county", "database": db, "runs": runs, "machine": machine()}


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    tables = {
        "members": Member,
        "visits": FieldVisit,
        "problems": VisitProblem,
        "reports": WeeklyReport,
        "report_items": ReportItem,
        "cases": DisputeCase,
    }
    async with engine.connect() as conn:
        return {
            name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in tables.items()
        }


def render(result: dict[str, Any]) -> str:
    runs = result["runs"]
    names = list(runs[0]["ops"]) if runs else []
    lines = [f"county benchmark on {result['database']} ({result['machine']})"]
    for run in runs:
        lines.append(
            f"\n{run['cadres']} cadres, {run['weeks']} weeks: {run['rows']} "
            + (
                f"(generated in {run['generate_seconds']} s)"
                if run["generate_seconds"] is not None
                else "(reused)"
            )
        )
        lines.append(f"{'operation':<15}{'seconds':>10}{'peak MB':>10}{'queries':>10}")
        for name in names:
            op = run["ops"][name]
            lines.append(f"{name:<15}{op['seconds']:>10}{op['peak_mb']:>10}{op['queries']:>10}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated cadre counts")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated data and reuse it next time"
    )
    add_common_args(parser)
    args = parser.parse_args()
    result = asyncio.run(
        main(
            [int(s) for s in args.sizes.split(",")],
            args.db,
            args.weeks,
            args.repeat,
            reuse=args.reuse,
        )
    )
    print(json.dumps(result, ensure_ascii=False) if args.json else render(result))

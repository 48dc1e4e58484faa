"""Redraw the README's pictures of what the bot prints: the Monday agenda's charts
(docs/agenda-charts.png, as the secretary receives it) and the first page of the weekly 台账
summary (docs/ledger-summary.png, rendered from its PDF with poppler's pdftoppm).

    .venv/bin/python tools/print_samples.py [docs]

Uses the sample township with eight weeks of work; needs fonts-noto-cjk and poppler-utils.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.agenda.charts import week_photo
from bot.core.config import parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import create_engine, session_factory
from bot.core.db.migrate import upgrade
from bot.core.render import Renderer
from bot.lists.facts import database_facts
from bot.lists.pdf import summary_page
from bot.lists.periods import week_period
from bot.week.schedule import week_rules
from devkit.sample import TOWNSHIP_CODE, sample_config, seed_people
from devkit.sample.cases import seed_cases
from devkit.sample.week import seed_week

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WEEKS = 8
PDFTOPPM = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]


async def make() -> tuple[bytes, bytes]:
    """The agenda's PNG and the summary's PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/samples.db"
        settings = parse_settings(sample_config("0:samples", "http://127.0.0.1:9/bot", url))
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with session_factory(engine)() as session, session.begin():
                await member_db.sync_townships(session, settings)
                ids = await seed_people(session, NOW - timedelta(weeks=WEEKS))
                for back in range(WEEKS - 1, -1, -1):
                    await seed_week(session, settings, NOW - timedelta(weeks=back), ids)
                await seed_cases(session, settings, NOW)
            async with session_factory(engine)() as session, session.begin():
                township = await member_db.township_by_code(session, TOWNSHIP_CODE)
                assert township is not None
                rules = week_rules(settings, TOWNSHIP_CODE)
                week = rules.current_week(NOW) - timedelta(weeks=1)
                photo = await week_photo(session, township, week, rules, NOW, "zh_CN")
                page = await summary_page(
                    session,
                    settings,
                    Renderer(),
                    township,
                    week_period(week),
                    database_facts(settings),
                    NOW,
                    "zh_CN",
                )
        finally:
            await engine.dispose()
        if photo is None:
            raise SystemExit("the charts could not be drawn (see the log)")
        return photo.data, (await page.pdf()).data


def main(target: Path) -> None:
    png, pdf = asyncio.run(make())
    (target / "agenda-charts.png").write_bytes(png)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            [*PDFTOPPM, str(path), str(target / "ledger-summary")],
            check=True,
        )
    print(f"wrote {target / 'agenda-charts.png'} and {target / 'ledger-summary.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))

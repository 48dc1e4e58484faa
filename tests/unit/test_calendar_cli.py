"""`township-bot calendar import` and `calendar show`, run as real subprocesses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from tests.unit.test_cli import ROOT, write_config

DATA = ROOT / "tests" / "notices"


def township_bot(
    *args: str, cwd: Path, stdin: str = "", timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def stored_rows(tmp_path: Path) -> list[tuple[str, int, int, str]]:
    with sqlite3.connect(tmp_path / "t.db") as db:
        return list(db.execute("SELECT day, year, is_workday, holiday FROM calendar_days"))


def library_lines(year: int) -> list[str]:
    """What `show` must print for a year the holiday library knows."""
    lines = []
    day = date(year, 1, 1)
    while day.year == year:
        rest, name = chinese_calendar.get_holiday_detail(day)
        if rest == (day.weekday() < 5):
            label = chinese_calendar.Holiday(name).chinese if name else ""
            lines.append(f"{day.isoformat()} {'休' if rest else '班'} {label}".rstrip())
        day += timedelta(days=1)
    return lines


def test_import_asks_then_stores_and_show_prints_the_year(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    notice = str(DATA / "sample-2027.txt")
    # Not confirmed (no answer, then "n"): nothing is stored.
    for answer in ("", "n\n"):
        declined = township_bot(
            "calendar", "import", notice, "--config", config, cwd=tmp_path, stdin=answer
        )
        assert declined.returncode == 1, declined.stderr
        assert "2027-01-01 休 元旦" in declined.stdout.splitlines()
        assert "2027-02-14 班 春节" in declined.stdout.splitlines()
        assert "2027年：放假29天，调休上班6天" in declined.stdout
        assert "保存以上日期吗？[y/N]" in declined.stdout
        assert "未保存任何内容" in declined.stderr
        assert stored_rows(tmp_path) == []
    before = township_bot("calendar", "show", "2027", "--config", config, cwd=tmp_path)
    assert before.returncode == 0 and before.stdout == ""
    assert "2027年：尚无节假日安排" in before.stderr and "calendar import" in before.stderr
    # Confirmed with "y": stored.
    stored = township_bot(
        "calendar", "import", notice, "--config", config, cwd=tmp_path, stdin="y\n"
    )
    assert stored.returncode == 0, stored.stderr
    assert "已保存2027年节假日安排：放假29天，调休上班6天" in stored.stdout
    rows = stored_rows(tmp_path)
    assert len(rows) == 35 and ("2027-01-01", 2027, 0, "元旦") in rows
    shown = township_bot("calendar", "show", "2027", "--config", config, cwd=tmp_path)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    lines = shown.stdout.splitlines()
    # Only the days that differ from Monday to Friday: not 1月2-3日 (a weekend anyway).
    assert lines[:3] == ["2027-01-01 休 元旦", "2027-02-05 休 春节", "2027-02-08 休 春节"]
    assert "2027-01-02 休 元旦" not in lines and "2027-10-09 班 国庆节" in lines
    assert len(lines) == len(set(lines)) == 24
    assert "2027年：按" in shown.stderr and "导入的国务院通知" in shown.stderr
    # Importing the year again replaces it, without asking (--yes).
    again = township_bot("calendar", "import", notice, "--yes", "--config", config, cwd=tmp_path)
    assert again.returncode == 0 and "将替换" in again.stdout
    assert len(stored_rows(tmp_path)) == 35


def test_show_a_year_of_the_library_with_the_config_overrides(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    result = township_bot("calendar", "show", "2026", "--config", config, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == library_lines(2026)
    assert "chinese_calendar" in result.stderr
    extra = "[calendar]\nextra_holidays = [2026-03-04]\nextra_workdays = [2026-10-06]\n"
    overridden = township_bot(
        "calendar", "show", "2026", "--config", str(write_config(tmp_path, extra)), cwd=tmp_path
    )
    lines = overridden.stdout.splitlines()
    assert "2026-03-04 休 [calendar]" in lines and "2026-10-06 休 国庆节" not in lines


def test_failures_are_one_line(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    missing = township_bot(
        "calendar",
        "import",
        str(tmp_path / "nowhere.txt"),
        "--yes",
        "--config",
        config,
        cwd=tmp_path,
    )
    bad_text = tmp_path / "notice.txt"
    bad_text.write_text(
        (DATA / "notice-2026.txt").read_text(encoding="utf-8").replace("共9天", "共8天"),
        encoding="gb18030",  # as a Windows editor in China saves it
    )
    unreadable = township_bot(
        "calendar", "import", str(bad_text), "--yes", "--config", config, cwd=tmp_path
    )
    bad_year = township_bot("calendar", "show", "99999", "--config", config, cwd=tmp_path)
    for result, words in (
        (missing, "nowhere.txt：文件不存在。"),
        (
            unreadable,
            "春节：通知写共8天，但“2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）”是9天。",
        ),
        (bad_year, "无法显示99999年的日历。"),
    ):
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
        assert words in result.stderr and "Traceback" not in result.stderr
    assert "notice.txt：" in unreadable.stderr and "未保存任何内容" in unreadable.stderr
    assert not (tmp_path / "t.db").exists() or stored_rows(tmp_path) == []


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://bot:s3cret@127.0.0.1:9/township"  # the discard port: refused
    path = tmp_path / "pg.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n\n[[townships]]\ncode = "SHZ"\nname = "沙河子镇"\n',
        encoding="utf-8",
    )
    for args in (
        ("calendar", "show", "2027"),
        ("calendar", "import", str(DATA / "sample-2027.txt"), "--yes"),
    ):
        result = township_bot(*args, "--config", str(path), cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("无法使用数据库 postgresql+asyncpg://bot:***@127.0.0.1:9/")
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "s3cret" not in result.stderr and "Traceback" not in result.stderr

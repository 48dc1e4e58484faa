"""The `township-bot` command, run as a real subprocess."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.typography.checks import problems

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: int = 120,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    clean.update(env or {})
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[telegram]
bot_username = "my_town_bot"
{extra}
[database]
url = "sqlite+aiosqlite:///{tmp_path}/t.db"

[[townships]]
code = "SHZ"
name = "沙河子镇"
  [[townships.villages]]
  name = "沙河子村"
""",
        encoding="utf-8",
    )
    return path


def test_run_without_token_explains_what_to_do(tmp_path: Path) -> None:
    result = run("run", "--config", str(write_config(tmp_path)), cwd=tmp_path)
    assert result.returncode == 2
    assert "TOWNSHIP_BOT_TOKEN" in result.stderr and "[telegram] token" in result.stderr
    assert "township-bot demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_is_one_clear_message(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'mode = "carrier-pigeon"\n')
    result = run("check-config", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"配置文件 {path} 有误：",
        '  - telegram.mode：只能是以下之一："polling" / "webhook"',
    ]
    english = run("check-config", "--lang", "en", "--config", str(path), cwd=tmp_path)
    assert english.returncode == 2
    assert english.stderr.splitlines() == [
        f"Invalid configuration in {path}:",
        '  - telegram.mode: must be one of: "polling" / "webhook"',
    ]


def test_config_errors_speak_the_configs_language(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'language = "en"\ntimezone = "Mars/Olympus"\n[telegram]\ntokn = "x"\n', encoding="utf-8"
    )
    result = run("check-config", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"Invalid configuration in {path}:",
        "  - timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as Asia/Shanghai)",
        "  - telegram.tokn: unknown key (check the spelling against config.example.toml)",
    ]
    chinese = run("--lang", "zh_CN", "check-config", "--config", str(path), cwd=tmp_path)
    assert chinese.stderr.splitlines()[1:] == [
        "  - timezone：未知的时区 'Mars/Olympus'（请使用 Asia/Shanghai 这样的 IANA 名称）",
        "  - telegram.tokn：未知的键（请对照 config.example.zh_CN.toml 检查拼写）",
    ]
    broken = tmp_path / "broken.toml"
    broken.write_text("[telegram\n", encoding="utf-8")
    result = run("check-config", "--config", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{broken} 不是有效的 TOML 文件：")
    missing = run(
        "invite", "--township", "SHZ", "--role", "cadre", "--config", "nope.toml", cwd=tmp_path
    )
    assert missing.returncode == 2 and missing.stderr == "配置文件 nope.toml 不存在。\n"


def test_check_config_and_missing_township(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    ok = run("check-config", "--lang", "en", "--config", config, cwd=tmp_path)
    assert ok.returncode == 0 and "1 township(s), 1 village(s)" in ok.stdout
    ok = run("check-config", "--config", config, cwd=tmp_path)
    assert ok.returncode == 0 and "配置有效：1个乡镇，1个村" in ok.stdout
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    result = run("check-config", "--config", str(empty), cwd=tmp_path)
    assert result.returncode == 2 and "[[townships]]" in result.stderr
    assert "township-bot init" in result.stderr


def test_db_upgrade_and_invite(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    tables = {
        r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("select name from sqlite_master")
    }
    assert {"members", "invites", "audit_log", "alembic_version"} <= tables
    result = run("invite", "--township", "SHZ", "--role", "cadre", "--config", config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"https://t\.me/my_town_bot\?start=[A-Za-z0-9_-]{20,64}\n", result.stdout)
    bad = run("invite", "--township", "XXX", "--role", "cadre", "--config", config, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr == "未知的乡镇代码 'XXX'（已配置：SHZ）。\n"
    bad = run(
        "invite",
        "--township",
        "XXX",
        "--role",
        "cadre",
        "--config",
        config,
        "--lang",
        "en",
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and bad.stderr == "Unknown township code 'XXX' (configured: SHZ).\n"


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    mode = sqlite3.connect(tmp_path / "t.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@pytest.mark.e2e
def test_demo_script_runs_the_real_bot_against_the_emulator(tmp_path: Path) -> None:
    result = run("demo", "--script", "--data-dir", str(tmp_path), cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert "Scripted demo finished successfully." in out
    assert "吴小平，欢迎！您已注册成功。" in out
    assert "/members" in out.split("👤 张明远: /help")[1]
    assert (tmp_path / "demo.db").exists()
    cases = out.split("— 10.")[1]
    assert re.search(r"✅ 案件 SHZ-\d{4}-\d{4} 已登记", cases)
    assert "贺小明（139****9999）" in cases
    assert "调处成功率" in cases and "政法联席会议案件简报" in cases
    assert "DEMO-offline-token" not in result.stdout + result.stderr
    # Every message the bot sent in the demo, as an official Chinese text writes it.
    said = [line for line in out.splitlines() if line.startswith(("🤖 ", "   "))]
    assert [p for line in said for p in problems(line)] == []


def test_backup_while_writing_and_restore(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "t.db")
    insert = "INSERT INTO townships (code, name, active, created_at) VALUES (?, ?, 1, '2026-01-01')"
    db.execute(insert, ("AAA", "before"))
    db.commit()
    # A writer holds an open transaction while the backup runs: the backup stays consistent.
    db.execute("BEGIN")
    db.execute(insert, ("BBB", "uncommitted"))
    result = run("backup", str(tmp_path / "b1.db"), "--config", config, cwd=tmp_path)
    db.execute("ROLLBACK")
    assert result.returncode == 0, result.stderr
    assert "完整性检查通过" in result.stdout
    names = {
        r[0] for r in sqlite3.connect(tmp_path / "b1.db").execute("select name from townships")
    }
    assert names == {"before"}

    db.execute("UPDATE townships SET name = 'after' WHERE code = 'AAA'")
    db.commit()
    db.close()
    restored = run("restore", str(tmp_path / "b1.db"), "--config", config, cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    names = {r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("select name from townships")}
    assert names == {"before"}

    again = run("backup", str(tmp_path / "b1.db"), "--config", config, cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    bad = run("restore", str(garbage), "--config", config, cwd=tmp_path)
    assert bad.returncode == 2 and "not a township-bot database" in bad.stderr


def test_restore_refuses_while_an_instance_is_active(tmp_path: Path) -> None:
    config = str(write_config(tmp_path))
    assert run("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    assert run("backup", str(tmp_path / "b.db"), "--config", config, cwd=tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("INSERT INTO leases VALUES ('active', 'host-123', '2999-01-01 00:00:00')")
    db.commit()
    db.close()
    refused = run("restore", str(tmp_path / "b.db"), "--config", config, cwd=tmp_path)
    assert refused.returncode == 2 and "host-123" in refused.stderr
    forced = run("restore", str(tmp_path / "b.db"), "--force", "--config", config, cwd=tmp_path)
    assert forced.returncode == 0


def test_backup_of_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    path = tmp_path / "pg.toml"
    path.write_text('[database]\nurl = "postgresql+asyncpg://u@127.0.0.1/x"\n', encoding="utf-8")
    result = run("backup", str(tmp_path / "x.db"), "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2 and "pg_dump" in result.stderr

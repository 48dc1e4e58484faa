"""`township-bot demo` (no --script) serves the sandbox page and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

DEMO_URL = re.compile(r"Open the demo web chat in a browser:\s+(http://127\.0\.0\.1:\d+/)")


@pytest.mark.e2e
def test_demo_prints_the_page_url_and_serves_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--data-dir", str(tmp_path), "--page-port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        url = None
        for line in proc.stdout:  # ends at EOF if the process dies
            lines.append(line)
            match = DEMO_URL.search(line)
            if match:
                url = match.group(1)
                break
        assert url, "".join(lines)
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and "乡镇工作助手" in page.text
        state = httpx.get(url + "api/state", timeout=30).json()
        assert [p["name"] for p in state["people"]][:2] == ["张明远", "李春华"]
        assert (tmp_path / "sandbox.db").exists()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, "".join(lines) + rest
        assert "DEMO-offline-token" not in "".join(lines) + rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start_demo(data_dir: Path, cwd: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    """A `township-bot demo` process serving its page, with the URL and what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_BOT_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--data-dir", str(data_dir), "--page-port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        match = DEMO_URL.search(line)
        if match:
            return proc, match.group(1), lines
    proc.wait()
    raise AssertionError("".join(lines))


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.e2e
def test_a_second_demo_keeps_its_own_database(tmp_path: Path) -> None:
    first_dir = tmp_path / "demo"
    first, first_url, _ = start_demo(first_dir, tmp_path)
    try:
        db = first_dir / "sandbox.db"
        before = db.stat()
        cadre = httpx.get(first_url + "api/state", timeout=30).json()["people"][1]["id"]
        second, second_url, printed = start_demo(first_dir, tmp_path)
        try:
            text = "".join(printed)
            second_dir = tmp_path / "demo-2"
            assert f"{first_dir.resolve()} is in use by another demo process" in text
            assert f"Database: {(second_dir / 'sandbox.db').resolve()}" in text
            assert (second_dir / "sandbox.db").exists()
            # The first one's database is the same file, still in use by the first demo.
            after = db.stat()
            assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
            # …and the first demo still answers from it.
            sent = httpx.post(
                first_url + "api/send", json={"user": cadre, "text": "/me"}, timeout=60
            )
            assert sent.status_code == 200 and sent.json()["ok"] is True, sent.text
            assert httpx.get(second_url + "api/state", timeout=30).status_code == 200
        finally:
            stop(second)
    finally:
        stop(first)
    assert first.returncode == 0 and second.returncode == 0

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
            match = re.search(r"Open the sandbox in a browser:\s+(http://127\.0\.0\.1:\d+/)", line)
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

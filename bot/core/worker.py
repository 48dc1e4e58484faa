"""Charts and PDFs are made in a child process (`python -m bot.core.worker`).

matplotlib and WeasyPrint take tens of megabytes once imported, and a CJK font's subset
takes more while a PDF is written; Python keeps what it took. A child that exits after each
piece of work leaves the bot's resident memory as it was. One piece at a time per process
(the machine has few cores), within `TIMEOUT` seconds.

The child reads one `Job` as JSON on stdin and writes the bytes on stdout; it exits with
`NO_FONT` when no Chinese font is installed (its message on stderr) and 1 on any other
failure.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import sys
import weakref
from typing import Literal

from pydantic import BaseModel

from bot.core.charts import Chart, Dashboard, chart_svg, dashboard_png
from bot.core.fonts import NoCjkFont, cjk_font
from bot.core.printing import CHART_SRC

log = logging.getLogger(__name__)

TIMEOUT = 180.0
NO_FONT = 3


class Job(BaseModel):
    op: Literal["png", "pdf", "html"]
    dashboard: Dashboard | None = None
    html: str = ""
    charts: dict[str, Chart] = {}
    language: str = "zh_CN"


class RenderFailed(RuntimeError):
    """The child failed for another reason than a missing font (logged with its reason)."""


def _with_charts(job: Job) -> str:
    """The HTML with each chart:NAME image drawn and inlined as an SVG data URI."""
    drawn: dict[str, str] = {}

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        chart = job.charts.get(name)
        if chart is None:
            return 'src=""'
        if name not in drawn:
            svg = chart_svg(chart, job.language)
            drawn[name] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        return f'src="{drawn[name]}"'

    return CHART_SRC.sub(inline, job.html)


def run(job: Job) -> bytes:
    """The work itself (in the child)."""
    if job.op == "png":
        if job.dashboard is None:
            raise ValueError("a png job needs a dashboard")
        return dashboard_png(job.dashboard)
    html = _with_charts(job)
    if job.op == "html":
        return html.encode()
    import weasyprint

    cjk_font()  # stop with the install hint rather than print empty boxes
    return bytes(weasyprint.HTML(string=html).write_pdf())


def main() -> int:
    try:
        job = Job.model_validate_json(sys.stdin.buffer.read())
        data = run(job)
    except NoCjkFont as exc:
        print(exc, file=sys.stderr)
        return NO_FONT
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


# --- the bot's side ------------------------------------------------------------------------

_limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _limit() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    found = _limits.get(loop)
    if found is None:
        found = _limits[loop] = asyncio.Semaphore(1)
    return found


async def _in_child(job: Job) -> bytes:
    async with _limit():
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.core.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(
                process.communicate(job.model_dump_json().encode()), TIMEOUT
            )
        except BaseException:  # a timeout or a cancellation: the child goes too
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
    if process.returncode == NO_FONT:
        raise NoCjkFont(err.decode(errors="replace").strip())
    if process.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit code {process.returncode}"
        log.warning("drawing a %s failed: %s", job.op, reason[:300])
        raise RenderFailed(reason)
    return out


async def draw_png(dashboard: Dashboard) -> bytes:
    """The dashboard as a PNG (see `bot.core.charts.dashboard_pixels` for its size)."""
    return await _in_child(Job(op="png", dashboard=dashboard, language=dashboard.language))


async def print_pdf(html: str, charts: dict[str, Chart], language: str) -> bytes:
    """An HTML page (A4, see templates/print/) as PDF, with its charts drawn in."""
    return await _in_child(Job(op="pdf", html=html, charts=charts, language=language))


async def inline_charts(html: str, charts: dict[str, Chart], language: str) -> str:
    """An HTML page with its charts drawn in as SVG: one file, nothing to fetch."""
    data = await _in_child(Job(op="html", html=html, charts=charts, language=language))
    return data.decode()


if __name__ == "__main__":
    sys.exit(main())

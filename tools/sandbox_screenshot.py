"""Regenerate docs/sandbox.png: the demo (the web chat in demo mode) in headless Chromium
after a short scene.

    .venv/bin/python tools/sandbox_screenshot.py [docs/sandbox.png]

Needs Debian's chromium (and fonts-noto-cjk for Chinese); never `playwright install`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import async_playwright

from devkit.sandbox import Sandbox, SandboxServer

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def main(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        box = Sandbox(Path(tmp), start=START, poll_timeout=5)
        await box.start()
        server = SandboxServer(box, port=0)
        await server.start()
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = await browser.new_page(viewport={"width": 1180, "height": 760})
                await page.goto(server.url)
                await page.wait_for_selector("[data-testid='demo-person'] option", state="attached")
                bot = page.locator("#messages article.message.bot")

                async def send(text: str) -> None:
                    count = await bot.count()
                    await page.fill("[data-testid='composer']", text)
                    await page.click("[data-testid='send']")
                    await bot.nth(count).wait_for()

                await send("/help")
                await send("/members")
                listing = bot.last
                before = await listing.inner_text()
                await listing.locator("[data-testid='button']", has_text="王建军").click()
                await page.wait_for_function(
                    "(before) => [...document.querySelectorAll('#messages article.message.bot')]"
                    ".some((a) => a.innerText !== before && a.innerText.includes('王建军'))",
                    arg=before,
                )
                await page.screenshot(path=str(target))
                await browser.close()
        finally:
            await server.stop()
            await box.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/sandbox.png")))

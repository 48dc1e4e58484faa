"""The web chat in a real headless Chromium at phone width (Debian's package via Playwright;
never `playwright install`): markup in text and file names never runs; the offline shell says
so; a reply keyboard shares the position. (A newcomer signing in from an invitation, logging
a visit and reporting in Chromium is a scenario: tests/scenarios/test_first_week.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.sandbox.test_browser import CHROMIUM_ARGS, REASON, TIMEOUT_MS, _chromium
from tests.web.conftest import WebWorld
from tests.web.test_botapi import SECRETARY, call

pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
PHONE = {"width": 360, "height": 740}
BOT = "#messages article.message.bot"


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def phone(chromium: Any, web: WebWorld) -> Any:
    context = await chromium.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on(
        "console",
        lambda m: page.problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )
    page.on(
        "request",
        lambda r: None if r.url.startswith(web.url) else page.problems.append(f"outside: {r.url}"),
    )
    page.on("dialog", lambda d: page.problems.append(f"dialog: {d.message}"))
    return page


async def test_markup_in_text_and_file_names_never_runs(chromium: Any, web: WebWorld) -> None:
    chat = SECRETARY.telegram_user_id
    member = await web.browser_of(chat, SECRETARY.name)
    hostile = "<img src=x onerror=window.pwned=1><script>window.pwned=1</script>"
    await member.say(chat, hostile)
    await call(
        web,
        "sendMessage",
        chat_id=chat,
        parse_mode="HTML",
        text="&lt;img src=x onerror=window.pwned=1&gt; <i>斜体</i> "
        "<a href='javascript:window.pwned=1'>链接</a>",
    )
    import httpx

    async with httpx.AsyncClient(base_url=web.url) as http:
        sent = await http.post(
            f"/bot{web.server.web.token}/sendDocument",
            data={"chat_id": str(chat)},
            files={"document": (f"{hostile}.xlsx", b"PK\x03\x04", "application/octet-stream")},
        )
    assert sent.status_code == 200
    page = await phone(chromium, web)
    await page.context.add_cookies(
        [{"name": "township_session", "value": member.token, "url": web.url}]
    )
    await page.goto(web.url)
    await page.wait_for_selector(f"{BOT} [data-testid='document']")
    texts = await page.locator("#messages [data-testid='text']").all_inner_texts()
    assert hostile in texts
    assert any("<img src=x onerror=window.pwned=1>" in t for t in texts)
    assert hostile in await page.inner_text(f"{BOT} [data-testid='document']")
    assert await page.locator("#messages img").count() == 0
    assert await page.locator("#messages script").count() == 0
    assert await page.locator("#messages a[href^='javascript']").count() == 0
    assert await page.locator(f"{BOT} i", has_text="斜体").count() == 1
    assert await page.evaluate("() => window.pwned") is None
    assert page.problems == []


async def test_the_offline_shell_says_it_is_offline(chromium: Any, web: WebWorld) -> None:
    member = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    page = await phone(chromium, web)
    await page.context.add_cookies(
        [{"name": "township_session", "value": member.token, "url": web.url}]
    )
    await page.goto(web.url)
    await page.wait_for_selector("[data-testid='tab']")
    await page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    manifest = await page.evaluate(
        "() => fetch('/manifest.webmanifest').then((r) => r.json()).then((m) => m.start_url)"
    )
    assert manifest == "/"
    await page.context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("[data-testid='offline']", state="visible")
    assert "离线" in await page.inner_text("[data-testid='offline']")


async def test_a_reply_keyboard_shares_the_browsers_location(chromium: Any, web: WebWorld) -> None:
    chat = SECRETARY.telegram_user_id
    member = await web.browser_of(chat, SECRETARY.name)
    keyboard = {"keyboard": [[{"text": "发送当前位置", "request_location": True}, "跳过"]]}
    await call(web, "sendMessage", chat_id=chat, text="请发送走访地点：", reply_markup=keyboard)
    page = await phone(chromium, web)
    await page.context.grant_permissions(["geolocation"], origin=web.url)
    await page.context.set_geolocation({"latitude": 39.9042, "longitude": 116.4074})
    await page.context.add_cookies(
        [{"name": "township_session", "value": member.token, "url": web.url}]
    )
    await page.goto(web.url)
    await page.click("[data-testid='reply-button']:has-text('发送当前位置')")
    shared = page.locator("article.message.mine [data-testid='location']")
    await shared.wait_for()
    assert "39.90420, 116.40740" in await shared.inner_text()
    sent = await member.messages(chat)
    assert any(
        m.get("location") == {"latitude": 39.9042, "longitude": 116.4074} for m in sent["messages"]
    )
    bad = await member.http.post(
        f"/api/chats/{chat}/location", json={"latitude": 91, "longitude": 0}
    )
    assert bad.status_code == 400
    assert page.problems == []

"""The web chat in a real headless Chromium at phone width (Debian's package via Playwright;
never `playwright install`): a newcomer signs in from an invitation, logs a visit and submits
the Friday report; markup in text and file names never runs; the offline shell says so."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.helpers import zh
from tests.sandbox.test_browser import ARTIFACTS, CHROMIUM_ARGS, REASON, TIMEOUT_MS, _chromium
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


async def invitation(web: WebWorld) -> str:
    secretary = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    await secretary.say(SECRETARY.telegram_user_id, "/invite cadre")
    messages = await secretary.wait_for(
        SECRETARY.telegram_user_id, lambda ms: any("/join/" in m["text"] for m in ms)
    )
    text = next(m["text"] for m in messages if "/join/" in m["text"])
    found = re.search(r"http://\S+/join/[A-Za-z0-9_-]+", text)
    assert found is not None and found.group(0).startswith(web.url)
    return found.group(0)


CHANGED = """([id, before, count]) => {
  const message = document.querySelector(`#messages article[data-id='${id}']`);
  const bots = document.querySelectorAll("#messages article.message.bot").length;
  return bots > count || !message || message.innerText !== before;
}"""


async def press(page: Any, label: str) -> None:
    """Press an inline button and wait until its message is edited or the bot answers."""
    button = page.locator(f"{BOT} [data-testid='button']", has_text=label).last
    message = button.locator("xpath=ancestor::article")
    before = [
        await message.get_attribute("data-id"),
        await message.inner_text(),
        await page.locator(BOT).count(),
    ]
    await button.click()
    await page.wait_for_function(CHANGED, arg=before)


async def send(page: Any, text: str) -> None:
    await page.fill("[data-testid='composer']", text)
    await page.click("[data-testid='send']")


async def test_a_newcomer_signs_in_logs_a_visit_and_reports_at_phone_width(
    chromium: Any, web: WebWorld
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    link = await invitation(web)
    page = await phone(chromium, web)
    await page.goto(link)
    await page.fill("input[name='name']", "吴小平")
    await page.click("button[type='submit']")
    await page.wait_for_selector(f"{BOT}:has-text('吴小平')")
    await press(page, zh("✅ Confirm"))
    welcome = zh("Welcome, {name}! You are registered.").format(name="吴小平")
    await page.wait_for_selector(f"{BOT}:has-text('{welcome}')")
    await page.reload()  # now a member: the township group is a tab
    await page.wait_for_selector("[data-testid='tab']:has-text('沙河子镇工作群')")

    await send(page, "/visit")
    await press(page, "东岭村")
    await press(page, "⬜ 听取民意")
    await press(page, "✅ 保存")
    await page.wait_for_selector(f"{BOT} [data-testid='button']:has-text('✏️ 修改')")
    await page.screenshot(path=str(ARTIFACTS / "web-phone-visit.png"))

    web.clock.advance(timedelta(days=4, hours=5))  # Friday 14:00, the report window
    await send(page, "/report")
    await page.wait_for_selector(
        f"{BOT}:has-text('东岭村') [data-testid='button']:has-text('✅ 提交')"
    )
    await press(page, "✅ 提交")
    await page.wait_for_selector(f"{BOT}:has-text('报告已按时提交')")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    await page.screenshot(path=str(ARTIFACTS / "web-phone-report.png"))
    assert page.problems == []


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

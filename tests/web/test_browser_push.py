"""Web Push in a real headless Chromium: the page offers reminders behind a button, and the
service worker turns a push into a notification that opens the chat. A headless Chromium has
no push service (Chrome's is FCM), so no real subscription can be made here: the push is
delivered through DevTools, and subscribing is seen to fail politely (the HTTP side of a
subscription is tested in test_push.py, with the test as the browser)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.web import push
from tests.sandbox.test_browser import ARTIFACTS, CHROMIUM_ARGS, REASON, _chromium
from tests.web.conftest import WebWorld
from tests.web.test_botapi import SECRETARY
from tests.web.test_browser import phone

pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

NOTIFICATIONS = """() => navigator.serviceWorker.ready
  .then((r) => r.getNotifications())
  .then((ns) => ns.map((n) => ({ title: n.title, body: n.body, url: n.data.url })))"""
# True once a notification is shown (each poll starts the next look; no promise is awaited).
SHOWN = """() => {
  navigator.serviceWorker.ready.then((r) => r.getNotifications())
    .then((ns) => { window.shownNotifications = ns.length; });
  return window.shownNotifications > 0;
}"""


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def signed_in_page(chromium: Any, web: WebWorld) -> Any:
    member = await web.browser_of(SECRETARY.telegram_user_id, SECRETARY.name)
    page = await phone(chromium, web)
    await page.context.add_cookies(
        [{"name": "township_session", "value": member.token, "url": web.url}]
    )
    return page


async def deliver_until_shown(
    page: Any, cdp: Any, origin: str, registration: str, data: str
) -> None:
    """DevTools' push delivery in a headless Chromium now and then drops a message on a
    loaded machine (about one run in twenty, and no notification appears), so a
    message not shown is delivered again. The worker's tag keeps it to one notification,
    and a worker that never shows one still fails the test."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        await cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": origin, "registrationId": registration, "data": data},
        )
        try:
            await page.wait_for_function(SHOWN, polling=100, timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


async def test_the_page_offers_reminders_and_the_worker_shows_a_push(
    chromium: Any, web: WebWorld
) -> None:
    page = await signed_in_page(chromium, web)
    await page.goto(web.url)
    button = page.locator("[data-testid='push-button']")
    await button.wait_for()
    assert await button.inner_text() == "开启提醒"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "web-push-button.png"))
    # Nothing was asked on load: only a tap asks for permission.
    assert await page.evaluate("() => Notification.permission") == "default"

    await page.context.grant_permissions(["notifications"], origin=web.url)
    await page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = await page.context.new_cdp_session(page)
    registrations: list[str] = []
    registered = asyncio.Event()

    def updated(event: dict[str, Any]) -> None:
        registrations.extend(r["registrationId"] for r in event["registrations"])
        if registrations:
            registered.set()

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    await cdp.send("ServiceWorker.enable")
    await asyncio.wait_for(registered.wait(), timeout=20)
    # What the server sends (bot.web.push.payload), with an address elsewhere: the
    # notification still opens this server's chat.
    notice = {"title": "乡镇工作助手", "body": push.TEXT, "url": "https://elsewhere.example/"}
    await deliver_until_shown(page, cdp, web.url, registrations[-1], json.dumps(notice))
    shown = await page.evaluate(NOTIFICATIONS)
    assert shown == [{"title": "乡镇工作助手", "body": push.TEXT, "url": f"{web.url}/"}]

    # Subscribing needs the browser's push service, which a headless Chromium lacks: the
    # member is told to rely on the group robot instead.
    await button.click()
    toast = page.locator("[data-testid='toast']")
    await toast.wait_for()
    assert "机器人" in await toast.inner_text()
    assert await button.inner_text() == "开启提醒"
    # Chromium's own word on why subscribing failed (a new context is like incognito).
    assert [p for p in page.problems if "does not support the Push API" not in p] == []

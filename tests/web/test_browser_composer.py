"""The web chat's composer and buttons in a real headless Chromium at phone width: what a
member types is never lost nor sent twice (offline, a lost answer, too long), a button
pressed twice quickly is one press, a signed-out page shows nothing of the member, and the
icon buttons are named and reachable by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.models import WebCallback
from bot.web import auth
from tests.e2e.helpers import make_invite
from tests.sandbox.test_browser import REASON
from tests.web.conftest import WebWorld
from tests.web.test_botapi import SECRETARY, call
from tests.web.test_browser import chromium, phone

pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
__all__ = ["chromium"]
CHAT = SECRETARY.telegram_user_id


async def signed_in_page(chromium: Any, web: WebWorld) -> Any:
    member = await web.browser_of(CHAT, SECRETARY.name)
    page = await phone(chromium, web)
    await page.context.add_cookies([{"name": auth.COOKIE, "value": member.token, "url": web.url}])
    await page.goto(web.url)
    await page.wait_for_selector("[data-testid='tab']")
    page.member = member
    return page


async def copies(web: WebWorld, page: Any, text: str) -> int:
    sent = await page.member.messages(CHAT)
    return sum(1 for m in sent["messages"] if not m["from_bot"] and m["text"] == text)


async def test_a_message_typed_offline_goes_once_when_the_network_is_back(
    chromium: Any, web: WebWorld
) -> None:
    page = await signed_in_page(chromium, web)
    await page.context.set_offline(True)
    await page.fill("[data-testid='composer']", "离线时写的第一条")
    await page.press("[data-testid='composer']", "Enter")
    await page.fill("[data-testid='composer']", "离线时写的第二条")
    await page.press("[data-testid='composer']", "Enter")
    assert await page.input_value("[data-testid='composer']") == ""
    waiting = page.locator("[data-testid='pending']")
    assert await waiting.all_inner_texts() == [
        "离线时写的第一条\n等待发送…",
        "离线时写的第二条\n等待发送…",
    ]
    assert await copies(web, page, "离线时写的第一条") == 0

    # Back online, the first answer is lost on its way back: the page sends it again.
    lost: list[str] = []

    async def lose_the_first_answer(route: Any) -> None:
        if route.request.method != "POST" or lost:
            await route.continue_()
            return
        await route.fetch()  # the server has it...
        lost.append(route.request.post_data)
        await route.abort()  # ...and the page never hears so

    await page.route(f"**/api/chats/{CHAT}/messages", lose_the_first_answer)
    await page.context.set_offline(False)
    mine = page.locator("article.message.mine:not(.pending)")
    await mine.filter(has_text="离线时写的第二条").wait_for()
    await waiting.first.wait_for(state="detached")
    assert len(lost) == 1
    assert await copies(web, page, "离线时写的第一条") == 1
    assert await copies(web, page, "离线时写的第二条") == 1
    assert await mine.filter(has_text="离线时写的第一条").count() == 1


async def test_a_message_too_long_stays_in_the_composer(chromium: Any, web: WebWorld) -> None:
    page = await signed_in_page(chromium, web)
    pasted = "\n".join(["第一行<b>不是标记</b> 😀"] + ["很长的一段。" * 60] * 12)
    assert len(pasted) > 4096
    await page.fill("[data-testid='composer']", pasted)
    await page.press("[data-testid='composer']", "Enter")
    await page.wait_for_selector("[data-testid='toast']", state="visible")
    assert "4096" in await page.inner_text("[data-testid='toast']")
    assert await page.input_value("[data-testid='composer']") == pasted
    assert await page.locator("[data-testid='pending']").count() == 0

    shorter = "第一行<b>不是标记</b> 😀\n第二行"
    await page.fill("[data-testid='composer']", shorter)
    await page.press("[data-testid='composer']", "Enter")
    shown = page.locator("article.message.mine:not(.pending) [data-testid='text']")
    await shown.filter(has_text="第二行").wait_for()
    assert await shown.filter(has_text="第二行").inner_text() == shorter
    assert await copies(web, page, shorter) == 1
    assert page.problems == []


async def test_a_button_pressed_twice_quickly_is_one_press(chromium: Any, web: WebWorld) -> None:
    keyboard = {"inline_keyboard": [[{"text": "确认", "callback_data": "probe:1"}]]}
    page = await signed_in_page(chromium, web)
    sent = await call(web, "sendMessage", chat_id=CHAT, text="请确认：", reply_markup=keyboard)
    assert sent.status_code == 200, sent.text
    alerts: list[str] = []

    async def accept(dialog: Any) -> None:
        alerts.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.dblclick("[data-testid='button']:has-text('确认')")
    await page.wait_for_selector("[data-testid='button']:has-text('确认'):enabled")
    async with web.svc.transaction() as session:
        presses = await session.scalar(
            select(func.count()).select_from(WebCallback).where(WebCallback.user_id == CHAT)
        )
    assert presses == 1
    assert len(alerts) <= 1


async def test_a_page_signed_out_elsewhere_shows_nothing_of_the_member(
    chromium: Any, web: WebWorld
) -> None:
    page = await signed_in_page(chromium, web)
    await call(web, "sendMessage", chat_id=CHAT, text="只给书记看的内容")
    await page.wait_for_selector("article.message.bot:has-text('只给书记看的内容')")
    async with web.svc.transaction() as session:
        await auth.end_sessions(session, CHAT, web.clock.now())
    await page.fill("[data-testid='composer']", "还在吗")
    await page.press("[data-testid='composer']", "Enter")
    await page.wait_for_selector("[data-testid='signed-out']", state="visible")
    assert await page.locator("#messages article").count() == 0
    assert await page.locator("[data-testid='tab']").count() == 0
    assert await page.locator("[data-testid='command']").count() == 0
    assert "只给书记看的内容" not in await page.inner_text("body")


async def test_the_icon_buttons_are_named_and_reached_by_keyboard(
    chromium: Any, web: WebWorld
) -> None:
    page = await signed_in_page(chromium, web)
    await page.get_by_role("button", name="命令菜单").focus()
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "发送文件"
    )
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.id") == "text"
    await page.get_by_role("textbox", name="输入消息").fill("/help")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("article.message.bot")
    await page.get_by_role("button", name="命令菜单").focus()
    await page.keyboard.press("Enter")
    assert await page.get_by_role("button", name="命令菜单").get_attribute("aria-expanded") == (
        "true"
    )
    assert page.problems == []


async def test_a_newcomers_page_shows_the_group_and_menu_once_registered(
    chromium: Any, web: WebWorld
) -> None:
    code = await make_invite(web, "cadre")
    page = await phone(chromium, web)
    await page.goto(f"{web.url}/join/{code}")
    await page.fill("input[name=name]", "吴小平")
    await page.click("button[type=submit]")
    await page.click("[data-testid='button']:has-text('确认')")
    await page.wait_for_selector("[data-testid='tab']:has-text('工作群')")
    await page.click("[data-testid='menu-button']")
    await page.wait_for_selector("[data-testid='command']:has-text('/visit')")
    assert page.problems == []


async def test_the_page_speaks_the_members_language(chromium: Any, web: WebWorld) -> None:
    page = await signed_in_page(chromium, web)
    assert await page.inner_text("[data-testid='send']") == "发送"
    await page.fill("[data-testid='composer']", "/lang en")
    await page.press("[data-testid='composer']", "Enter")
    await page.wait_for_selector("html[lang='en']", state="attached")
    assert await page.inner_text("[data-testid='send']") == "Send"
    assert await page.get_attribute("[data-testid='composer']", "placeholder") == "Message"
    await page.get_by_role("button", name="Commands").click()
    await page.wait_for_selector("[data-testid='command']:has-text('Show what you can do')")
    assert await page.inner_text("[data-testid='add-device']") == "📱 Sign in on another device"
    tabs = await page.locator("[data-testid='tab']").all_inner_texts()
    assert tabs[0] == "Chat with the assistant"
    await page.reload()
    await page.wait_for_selector("[data-testid='tab']")
    assert await page.evaluate("() => document.documentElement.lang") == "en"
    assert await page.inner_text("[data-testid='send']") == "Send"
    assert page.problems == []


async def test_a_message_typed_while_the_server_restarts_goes_once_it_is_back(
    chromium: Any, web: WebWorld
) -> None:
    member = await web.browser_of(CHAT, SECRETARY.name)
    page = await phone(chromium, web)
    page.member = member
    down = True
    held: list[Any] = []

    async def restarting(route: Any) -> None:
        if route.request.method == "GET" and "wait=0" in route.request.url:
            await route.continue_()  # the first look at the chat
        elif route.request.method == "GET":
            held.append(route)  # the long polls get no answer: only a new send can tell
        elif down:
            await route.abort("connectionrefused")
        else:
            await route.continue_()

    await page.route(f"**/api/chats/{CHAT}/messages*", restarting)
    await page.context.add_cookies([{"name": auth.COOKIE, "value": member.token, "url": web.url}])
    await page.goto(web.url)
    await page.wait_for_selector("[data-testid='tab']")
    await page.fill("[data-testid='composer']", "重启时写的")
    await page.press("[data-testid='composer']", "Enter")
    await page.wait_for_selector("[data-testid='offline']", state="visible")
    assert await page.locator("[data-testid='pending']").count() == 1
    down = False
    await page.wait_for_selector("[data-testid='pending']", state="detached")
    assert await copies(web, page, "重启时写的") == 1
    await page.wait_for_selector("[data-testid='offline']", state="hidden")
    for route in held:
        await route.abort()

"""The sandbox page end to end in a real headless Chromium (Debian's package, via Playwright).

Never `playwright install`: Playwright drives the system Chromium. `.ci/run` installs it and
sets TOWNSHIP_REQUIRE_BROWSER=1, so CI fails instead of skipping when it is missing.

The flow: a cadre logs a visit with buttons, the clock jumps to the Friday deadline (the
week's reminders arrive), she submits the pre-filled report, the secretary jumps to Monday
08:00 and the meeting agenda arrives by itself.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from devkit.sample import GROUP_CHAT_ID
from devkit.sandbox import Sandbox, SandboxServer

SECRETARY, CADRE, NEWCOMER = 1001, 1002, 3001
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000


def _chromium() -> str | None:
    candidates = [os.environ.get("TOWNSHIP_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _unavailable() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test,sandbox-test]')"
    if _chromium() is None:
        return "no Chromium executable (apt-get install chromium, or set TOWNSHIP_CHROMIUM)"
    return None


REASON = _unavailable()
if REASON and os.environ.get("TOWNSHIP_REQUIRE_BROWSER"):
    raise RuntimeError(f"TOWNSHIP_REQUIRE_BROWSER is set but {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def open_page(browser: Any, url: str, width: int, height: int) -> Any:
    page = await browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    await page.goto(url)
    await page.wait_for_selector("body[data-ready='1']")
    return page


class Chat:
    """Acts on the page like a person: every wait is on the DOM, none on time."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def bot_messages(self) -> Any:
        return self.page.locator("#messages .msg[data-from='bot']")

    async def count(self) -> int:
        return int(await self.bot_messages().count())

    async def as_person(self, user_id: int) -> None:
        await self.page.click(f"[data-person='{user_id}']")
        await self.page.wait_for_selector(f"[data-person='{user_id}'][aria-current='true']")

    async def send(self, text: str) -> Any:
        """Type and send; return the first bot message that arrives after it."""
        before = await self.count()
        await self.page.fill("#input", text)
        await self.page.click("#send")
        return await self.next_bot_message(before)

    async def next_bot_message(self, before: int) -> Any:
        message = self.bot_messages().nth(before)
        await message.wait_for()
        return message

    async def press(self, message: Any, label: str | None = None) -> Any:
        """Press an inline button (the first one without a label); return the edited message,
        or the new bot message when the bot answered with a new one."""
        msg_id = await message.get_attribute("data-msg")
        version = await message.get_attribute("data-version")
        before = await self.count()
        buttons = message.locator(".ikb button")
        button = buttons.filter(has_text=label).first if label else buttons.first
        await button.click()
        edited = self.page.locator(
            f"#messages .msg[data-msg='{msg_id}']:not([data-version='{version}'])"
        )
        newer = self.bot_messages().nth(before)
        await edited.or_(newer).first.wait_for()
        return edited if await edited.count() else newer


async def text_of(locator: Any) -> str:
    return str(await locator.locator("[data-testid='text']").first.inner_text())


async def test_the_sandbox_in_a_browser(
    browser: Any, server: SandboxServer, sandbox: Sandbox
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = await open_page(browser, server.url, 1200, 820)
    chat = Chat(page)
    assert await page.title() == "乡镇工作助手 · 沙盒"
    await page.wait_for_selector("[data-person='1006'] [data-role='mediator']")
    assert "书记" in await page.inner_text(f"[data-person='{SECRETARY}']")

    # A cadre asks for help; the reply renders the bot's HTML from entities.
    await chat.as_person(CADRE)
    assert "李春华" in await page.inner_text("#chat-name")
    help_reply = await chat.send("/help")
    help_text = await text_of(help_reply)
    assert "李春华，您好" in help_text and "/lang" in help_text
    assert await help_reply.locator("b", has_text="李春华，您好").count() == 1
    cadre_commands = set(re.findall(r"/([a-z_]+)", help_text))

    # An inline button: the picker is edited in place.
    picker = await chat.send("/lang")
    assert await text_of(picker) == "请选择语言："
    edited = await chat.press(picker, "简体中文")
    assert await text_of(edited) == "语言已切换为简体中文。"
    assert await edited.locator(".ikb").count() == 0
    assert await edited.get_attribute("data-msg") == await picker.get_attribute("data-msg")

    # Share a village's location and send a photo from the attachment menu.
    before = await chat.count()
    await page.click("[data-testid='attach']")
    await page.click("[data-testid='share-location']")
    await page.click("#location-choices [data-village='沙河子村']")
    await page.wait_for_selector(".msg.mine [data-testid='location']:has-text('沙河子村附近')")
    await chat.next_bot_message(before)
    before = await chat.count()
    await page.click("[data-testid='attach']")
    await page.click("[data-testid='send-photo']")
    await page.fill("[data-testid='photo-caption']", "入户走访")
    await page.click("[data-testid='photo-send']")
    photo = page.locator(".msg.mine img[data-testid='photo']")
    await photo.wait_for()
    await page.wait_for_function(
        "() => { const i = document.querySelector('.msg.mine img.photo');"
        " return i && i.complete && i.naturalWidth === 160; }"
    )
    await chat.next_bot_message(before)

    # Bot text is never parsed as HTML, and what people type is shown as typed.
    assert sandbox.app is not None
    before = await chat.count()
    await sandbox.app.bot.send_message(
        CADRE,
        "&lt;img src=x onerror=alert(1)&gt; <i>斜体</i> <a href='javascript:alert(1)'>链接</a>",
    )
    hostile = await chat.next_bot_message(before)
    assert "<img src=x onerror=alert(1)>" in await text_of(hostile)
    assert await hostile.locator("img").count() == 0
    assert await hostile.locator("i", has_text="斜体").count() == 1
    assert await hostile.locator("a").count() == 0  # unsafe link scheme: plain text

    # A reply keyboard with a location request (as a visit flow asks for the place).
    from telegram import KeyboardButton, ReplyKeyboardMarkup

    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("发送当前位置", request_location=True), "跳过"]], one_time_keyboard=True
    )
    await sandbox.app.bot.send_message(CADRE, "请发送走访地点：", reply_markup=keyboard)
    await page.click("#reply-keyboard button:has-text('发送当前位置')")  # the prompt is shown
    before = await chat.count()
    await page.click("#location-choices [data-village='东岭村']")
    await page.wait_for_selector(".msg.mine [data-testid='location']:has-text('东岭村附近')")
    await page.wait_for_selector("#reply-keyboard", state="hidden")
    await chat.next_bot_message(before)

    # The cadre logs a village visit with buttons (下乡记录).
    assert {"visit", "report"} <= cadre_commands
    picker = await chat.send("/visit")
    card = await chat.press(picker, "东岭村")
    card = await chat.press(card, "⬜ 听取民意")
    saved = await chat.press(card, "✅ 保存")
    assert "东岭村" in await text_of(saved)
    assert await saved.locator(".ikb button", has_text="✏️ 修改").count() == 1

    # The secretary invites a newcomer, who follows the link from the page.
    await chat.as_person(SECRETARY)
    invitation = await chat.send("/invite cadre")
    await invitation.locator("a", has_text="start=").click()
    await page.click(f"#link-choices [data-person='{NEWCOMER}']")
    await page.wait_for_selector(f"[data-person='{NEWCOMER}'][aria-current='true']")
    card = await chat.next_bot_message(0)
    assert "吴小平" in await text_of(card)
    welcome_at = await chat.count()
    confirmed = await chat.press(card)
    assert await confirmed.count() == 1
    await chat.next_bot_message(welcome_at)
    await page.wait_for_selector(f"[data-person='{NEWCOMER}'] [data-role='cadre']")

    # The secretary jumps the clock; the bot's clock follows and new messages carry it.
    await chat.as_person(SECRETARY)
    secretary_help = await text_of(await chat.send("/help"))
    secretary_commands = set(re.findall(r"/([a-z_]+)", secretary_help))
    assert "agenda" in secretary_commands
    await page.click("#clock-controls summary")
    await page.click("[data-testid='clock-deadline']")
    await page.wait_for_selector("#clock-now:has-text('11月27日 周五 18:00')")
    await page.click("#clock-controls summary")

    # The scheduled reminders of the week reached the cadre; she submits the Friday report.
    await chat.as_person(CADRE)
    await page.wait_for_selector("#messages .msg[data-from='bot']:has-text('现已开放填报')")
    preview = await chat.send("/report")
    assert "东岭村" in await text_of(preview)  # pre-filled from the visit log
    submitted = await chat.press(preview, "✅ 提交")
    assert "报告已按时提交" in await text_of(submitted)

    # The secretary got the deadline summary, jumps to Monday 08:00 and the agenda arrives.
    await chat.as_person(SECRETARY)
    await page.wait_for_selector("#messages .msg[data-from='bot']:has-text('周五交账截止情况')")
    await page.click("#clock-controls summary")
    await page.click("[data-testid='clock-meeting']")
    await page.wait_for_selector("#clock-now:has-text('11月30日 周一 08:00')")
    await page.click("#clock-controls summary")
    assert sandbox.svc.clock.now().isoformat() == "2026-11-30T00:00:00+00:00"
    agenda = page.locator("#messages .msg[data-from='bot']:has-text('一、上周数据')")
    await agenda.first.wait_for()
    assert "按时提交：1/" in await text_of(agenda.first)
    await page.wait_for_selector("#messages .day:has-text('11月30日 周一')")

    # The township group chat: published lists and agendas appear here.
    await page.click("[data-testid='group']")
    await page.wait_for_selector("#chat-name:has-text('沙河子镇工作群')")
    await page.fill("#input", "各位早上好，例会九点开始。")
    await page.click("#send")
    await page.wait_for_selector(".msg.mine:has-text('各位早上好')")
    state = await sandbox.state()
    group_posts = [m for m in state["group"]["chat"]["messages"] if m["from_bot"]]
    assert await page.locator("#messages .msg[data-from='bot']").count() == len(group_posts)
    assert state["group"]["id"] == GROUP_CHAT_ID
    await page.screenshot(path=str(ARTIFACTS / "sandbox-group.png"))

    await chat.as_person(CADRE)
    await page.screenshot(path=str(ARTIFACTS / "sandbox.png"))
    assert page.errors == []

    # Phone-sized: the member list is a drawer, nothing overflows sideways.
    phone = await open_page(browser, server.url + f"#as={CADRE}", 360, 740)
    await phone.wait_for_selector("#messages .msg[data-from='bot']")
    assert not await phone.is_visible("[data-person='1001']")
    width = await phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    await phone.screenshot(path=str(ARTIFACTS / "sandbox-phone.png"))
    await phone.click("#drawer-toggle")
    await phone.wait_for_selector("[data-person='1001']", state="visible")
    await phone.screenshot(path=str(ARTIFACTS / "sandbox-phone-members.png"), animations="disabled")
    await phone.click("[data-person='1001']")
    await phone.wait_for_selector("#chat-name:has-text('张明远')")
    await phone.wait_for_selector("[data-person='1001']", state="hidden")
    assert phone.errors == []

    # Reset from the page: both pages drop the history and the clock goes back.
    await page.click("#clock-controls summary")
    await page.click("[data-testid='reset']")
    await page.click("[data-testid='reset-confirm']")
    await page.wait_for_selector("#messages .empty")
    await page.wait_for_selector("#clock-now:has-text('11月23日 周一 09:00')")
    await phone.wait_for_selector("#messages .empty")
    assert await page.locator(f"[data-person='{NEWCOMER}'] .role").count() == 0


MEDIATOR = 1006
AT_BOTTOM = (
    "() => { const b = document.getElementById('messages');"
    " return b.scrollHeight - b.scrollTop - b.clientHeight < 4; }"
)


@pytest.mark.parametrize(
    ("label", "width", "height"), [("desktop", 1200, 820), ("phone", 360, 740)]
)
async def test_the_composer_takes_several_lines_and_the_chat_stays_at_the_bottom(
    browser: Any, server: SandboxServer, sandbox: Sandbox, label: str, width: int, height: int
) -> None:
    """A step that asks for one party per line is answered as asked (Shift+Enter breaks the
    line, Enter sends), and a card that grows keeps its buttons in view."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = await open_page(browser, server.url + f"#as={MEDIATOR}", width, height)
    chat = Chat(page)
    await page.wait_for_selector(
        f"[data-person='{MEDIATOR}'][aria-current='true']", state="attached"
    )
    for _ in range(3):  # enough history for the chat to scroll
        await chat.send("/help")
    prompt = await chat.send("/case new")
    for _ in range(3):  # the village, the category, the source: the first of each
        prompt = await chat.press(prompt)
    assert "每行" in await text_of(prompt)  # asks for one party per line

    composer = page.locator("#input")
    one_line = (await composer.bounding_box())["height"]
    await composer.focus()
    await page.keyboard.type("贺小明 13991239999")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("贺大山")
    assert await composer.input_value() == "贺小明 13991239999\n贺大山"  # nothing was sent
    assert (await composer.bounding_box())["height"] > one_line  # the composer grew
    await page.wait_for_function(AT_BOTTOM)  # the chat kept its newest message in view
    await page.screenshot(path=str(ARTIFACTS / f"sandbox-composer-{label}.png"))

    before = await chat.count()
    await page.keyboard.press("Enter")
    mine = page.locator(".msg.mine", has_text="贺大山")
    await mine.wait_for()
    assert await text_of(mine) == "贺小明 13991239999\n贺大山"
    assert await composer.input_value() == ""
    assert (await composer.bounding_box())["height"] == one_line
    parties = await chat.next_bot_message(before)
    assert "贺小明（139****9999）、贺大山" in await text_of(parties)  # two parties, not one
    await page.wait_for_function(AT_BOTTOM)

    # The card grows when edited; its buttons stay in view.
    grown = await chat.press(parties)
    await page.wait_for_function(AT_BOTTOM)
    last_button = grown.locator(".ikb button").last
    box = await page.locator("#messages").bounding_box()
    button = await last_button.bounding_box()
    assert button["y"] + button["height"] <= box["y"] + box["height"] + 1

    # A message edited to something much taller: the view follows it down.
    assert sandbox.app is not None
    before = await chat.count()
    sent = await sandbox.app.bot.send_message(MEDIATOR, "进度：")
    await chat.next_bot_message(before)
    await page.wait_for_function(AT_BOTTOM)
    lines = "\n".join(f"第{i}项：已完成" for i in range(1, 41))
    await sandbox.app.bot.edit_message_text(lines, chat_id=MEDIATOR, message_id=sent.message_id)
    await page.wait_for_selector(f"#messages .msg[data-msg='{sent.message_id}']:has-text('第40项')")
    assert await page.evaluate(AT_BOTTOM)
    await page.screenshot(path=str(ARTIFACTS / f"sandbox-scrolled-{label}.png"))
    assert page.errors == []

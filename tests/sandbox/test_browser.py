"""The demo (the web chat's page in demo mode) end to end in a real headless Chromium
(Debian's package, via Playwright).

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

from devkit.sample import GROUP_CHAT_ID, GROUP_TITLE
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
    page.on("request", lambda r: None if r.url.startswith(url) else errors.append(r.url))
    page.errors = errors
    await page.goto(url)
    await ready(page)
    return page


async def ready(page: Any) -> None:
    """The page shows the chat's history (or says it is empty) and the demo bar."""
    await page.wait_for_selector("[data-testid='tab']")
    await page.wait_for_selector("#messages > *", state="attached")
    await page.wait_for_selector("[data-testid='demo-person'] option", state="attached")


BOT = "#messages article.message.bot"
CHANGED = """([id, before, count]) => {
  const bots = document.querySelectorAll("#messages article.message.bot");
  const message = document.querySelector(`#messages article.message.bot[data-id='${id}']`);
  return bots.length > count || !message || message.innerText !== before;
}"""


class Chat:
    """Acts on the page like a person: every wait is on the DOM, none on time."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def bot_messages(self) -> Any:
        return self.page.locator(BOT)

    async def count(self) -> int:
        return int(await self.bot_messages().count())

    async def as_person(self, user_id: int) -> None:
        """Act as someone else from the demo bar: the page reloads as them."""
        async with self.page.expect_navigation():
            await self.page.select_option("[data-testid='demo-person']", str(user_id))
        await ready(self.page)
        chosen = await self.page.eval_on_selector("[data-testid='demo-person']", "(s) => s.value")
        assert chosen == str(user_id)

    async def send(self, text: str) -> Any:
        """Type and send; return the first bot message that arrives after it."""
        before = await self.count()
        await self.page.fill("[data-testid='composer']", text)
        await self.page.click("[data-testid='send']")
        return await self.next_bot_message(before)

    async def next_bot_message(self, before: int) -> Any:
        message = self.bot_messages().nth(before)
        await message.wait_for()
        return message

    async def press(self, message: Any, label: str | None = None) -> Any:
        """Press an inline button (the first one without a label); return the edited message,
        or the new bot message when the bot answered with a new one."""
        msg_id = await message.get_attribute("data-id")
        text = await message.inner_text()
        before = await self.count()
        buttons = message.locator("[data-testid='button']")
        button = buttons.filter(has_text=label).first if label else buttons.first
        await button.click()
        newer = self.bot_messages().nth(before)
        await self.page.wait_for_function(CHANGED, arg=[msg_id, text, before])
        if await self.bot_messages().count() > before:
            return newer
        return self.page.locator(f"{BOT}[data-id='{msg_id}']")


async def text_of(locator: Any) -> str:
    return str(await locator.locator("[data-testid='text']").first.inner_text())


async def clock_to(page: Any, action: str, shown: str) -> None:
    await page.click(f"[data-testid='clock-{action}']")
    await page.wait_for_selector(f"[data-testid='demo-clock']:has-text('{shown}')")


async def test_the_demo_in_a_browser(browser: Any, server: SandboxServer, sandbox: Sandbox) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = await open_page(browser, server.url, 1200, 820)
    chat = Chat(page)
    assert await page.title() == "乡镇工作助手"
    people = await page.locator("[data-testid='demo-person'] option").all_inner_texts()
    assert any("张明远" in p and "书记" in p for p in people)
    assert any("周桂芳" in p and "调解员" in p for p in people)

    # A cadre asks for help; the reply renders the bot's HTML from entities.
    await chat.as_person(CADRE)
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
    assert await edited.locator("[data-testid='button']").count() == 0
    assert await edited.get_attribute("data-id") == await picker.get_attribute("data-id")

    # Share a village's location from the demo bar and send a photo from the composer.
    before = await chat.count()
    await page.select_option("[data-testid='demo-place']", "沙河子村")
    await page.wait_for_selector("article.message.mine:has-text('沙河子村附近')")
    await chat.next_bot_message(before)
    before = await chat.count()
    await page.set_input_files(
        "[data-testid='file']",
        files=[{"name": "走访.png", "mimeType": "image/png", "buffer": b"\x89PNG"}],
    )
    await page.wait_for_function(
        "() => { const i = document.querySelector('article.message.mine img.photo');"
        " return i && i.complete && i.naturalWidth === 160; }"
    )
    await chat.next_bot_message(before)

    # Bot text is never parsed as HTML.
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

    # A reply keyboard with a location request: the browser's position is shared.
    from telegram import KeyboardButton, ReplyKeyboardMarkup

    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("发送当前位置", request_location=True), "跳过"]], one_time_keyboard=True
    )
    await sandbox.app.bot.send_message(CADRE, "请发送走访地点：", reply_markup=keyboard)
    await page.context.grant_permissions(["geolocation"], origin=server.url.rstrip("/"))
    await page.context.set_geolocation({"latitude": 33.879, "longitude": 110.0105})
    await page.wait_for_selector(f"{BOT}:has-text('请发送走访地点')")
    before = await chat.count()
    await page.click("[data-testid='reply-button']:has-text('发送当前位置')")
    await page.wait_for_selector("article.message.mine:has-text('东岭村附近')")
    await chat.next_bot_message(before)

    # The cadre logs a village visit with buttons (下乡记录).
    assert {"visit", "report"} <= cadre_commands
    picker = await chat.send("/visit")
    card = await chat.press(picker, "东岭村")
    card = await chat.press(card, "⬜ 听取民意")
    saved = await chat.press(card, "✅ 保存")
    assert "东岭村" in await text_of(saved)
    assert await saved.locator("[data-testid='button']", has_text="✏️ 修改").count() == 1

    # The secretary invites a newcomer; the link opens on the newcomer's phone.
    await chat.as_person(SECRETARY)
    invitation = await chat.send("/invite cadre")
    async with page.expect_navigation():
        await invitation.locator("a", has_text="start=").click()
    await ready(page)
    card = await chat.next_bot_message(0)
    assert "吴小平" in await text_of(card)
    welcome_at = await chat.count()
    await chat.press(card)
    await chat.next_bot_message(welcome_at)
    await page.reload()  # the demo bar reads everyone's roles as the page opens
    await ready(page)
    people = await page.locator("[data-testid='demo-person'] option").all_inner_texts()
    assert any("吴小平" in p and "干部" in p for p in people)

    # The secretary jumps the clock; the bot's clock follows.
    await chat.as_person(SECRETARY)
    secretary_commands = set(re.findall(r"/([a-z_]+)", await text_of(await chat.send("/help"))))
    assert "agenda" in secretary_commands
    await clock_to(page, "deadline", "11月27日 周五 18:00")

    # The scheduled reminders of the week reached the cadre; she submits the Friday report.
    await chat.as_person(CADRE)
    await page.wait_for_selector(f"{BOT}:has-text('现已开放填报')")
    preview = await chat.send("/report")
    assert "东岭村" in await text_of(preview)  # pre-filled from the visit log
    submitted = await chat.press(preview, "✅ 提交")
    assert "报告已按时提交" in await text_of(submitted)

    # The secretary got the deadline summary, jumps to Monday 08:00 and the agenda arrives.
    await chat.as_person(SECRETARY)
    await page.wait_for_selector(f"{BOT}:has-text('周五交账截止情况')")
    await clock_to(page, "meeting", "11月30日 周一 08:00")
    assert sandbox.svc.clock.now().isoformat() == "2026-11-30T00:00:00+00:00"
    agenda = page.locator(f"{BOT}:has-text('一、上周数据')")
    await agenda.first.wait_for()
    assert "按时提交：1/" in await text_of(agenda.first)

    # The township group chat: published lists and agendas appear here.
    await page.click(f"[data-testid='tab']:has-text('{GROUP_TITLE}')")
    await page.wait_for_selector(f"[data-testid='tab'].active:has-text('{GROUP_TITLE}')")
    await page.fill("[data-testid='composer']", "各位早上好，例会九点开始。")
    await page.click("[data-testid='send']")
    await page.wait_for_selector("article.message.mine:has-text('各位早上好')")
    state = await sandbox.state()
    group_posts = [m for m in state["group"]["chat"]["messages"] if m["from_bot"]]
    await page.wait_for_function(
        f"() => document.querySelectorAll('{BOT}').length === {len(group_posts)}"
    )
    assert state["group"]["id"] == GROUP_CHAT_ID
    await page.screenshot(path=str(ARTIFACTS / "sandbox-group.png"))

    await chat.as_person(CADRE)
    await page.screenshot(path=str(ARTIFACTS / "sandbox.png"))
    assert page.errors == []

    # Phone-sized: the demo bar wraps, nothing overflows sideways.
    phone = await open_page(browser, server.url, 360, 740)
    await phone.wait_for_selector(BOT)
    width = await phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    await phone.screenshot(path=str(ARTIFACTS / "sandbox-phone.png"))
    assert phone.errors == []

    # Reset from the page: the history goes and the clock goes back.
    async with page.expect_navigation():
        await page.click("[data-testid='demo-reset']")
    await ready(page)
    await page.wait_for_selector("#messages .empty")
    await page.wait_for_selector("[data-testid='demo-clock']:has-text('11月23日 周一 09:00')")
    people = await page.locator("[data-testid='demo-person'] option").all_inner_texts()
    assert not any("吴小平" in p and "干部" in p for p in people)


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
    line, Enter sends), and the chat keeps its newest message in view."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = await open_page(browser, server.url, width, height)
    chat = Chat(page)
    await chat.as_person(MEDIATOR)
    for _ in range(3):  # enough history for the chat to scroll
        await chat.send("/help")
    prompt = await chat.send("/case new")
    for _ in range(3):  # the village, the category, the source: the first of each
        prompt = await chat.press(prompt)
    assert "每行" in await text_of(prompt)  # asks for one party per line

    composer = page.locator("[data-testid='composer']")
    await composer.focus()
    await page.keyboard.type("贺小明 13991239999")
    await page.keyboard.press("Shift+Enter")
    await page.keyboard.type("贺大山")
    assert await composer.input_value() == "贺小明 13991239999\n贺大山"  # nothing was sent
    await page.wait_for_function(AT_BOTTOM)
    await page.screenshot(path=str(ARTIFACTS / f"sandbox-composer-{label}.png"))

    before = await chat.count()
    await page.keyboard.press("Enter")
    mine = page.locator("article.message.mine", has_text="贺大山")
    await mine.wait_for()
    assert await text_of(mine) == "贺小明 13991239999\n贺大山"
    assert await composer.input_value() == ""
    parties = await chat.next_bot_message(before)
    assert "贺小明（139****9999）、贺大山" in await text_of(parties)  # two parties, not one
    await page.wait_for_function(AT_BOTTOM)

    # A message edited to something much taller: the view follows it down.
    assert sandbox.app is not None
    before = await chat.count()
    sent = await sandbox.app.bot.send_message(MEDIATOR, "进度：")
    await chat.next_bot_message(before)
    await page.wait_for_function(AT_BOTTOM)
    lines = "\n".join(f"第{i}项：已完成" for i in range(1, 41))
    await sandbox.app.bot.edit_message_text(lines, chat_id=MEDIATOR, message_id=sent.message_id)
    await page.wait_for_selector(f"{BOT}[data-id='{sent.message_id}']:has-text('第40项')")
    await page.wait_for_function(AT_BOTTOM)
    await page.screenshot(path=str(ARTIFACTS / f"sandbox-scrolled-{label}.png"))
    assert page.errors == []


BAR_AND_CHAT = (
    "() => [document.getElementById('demo-bar').getBoundingClientRect().height,"
    " document.getElementById('messages').clientHeight]"
)


async def test_the_demo_bar_folds_to_one_line_and_the_chat_gets_the_height(
    browser: Any, server: SandboxServer
) -> None:
    """On a phone (360×640) the open bar takes a large part of the screen; folded, it is one
    slim line (who the page acts as, the time), the chat grows by what it gave up, and the
    page remembers the choice."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = await open_page(browser, server.url, 360, 640)
    toggle = page.locator("[data-testid='demo-toggle']")
    assert await toggle.get_attribute("aria-expanded") == "true"
    bar, chat = await page.evaluate(BAR_AND_CHAT)
    await page.screenshot(path=str(ARTIFACTS / "sandbox-phone-bar-open.png"))

    await toggle.click()
    await page.wait_for_selector("[data-testid='demo-bar'].folded")
    slim, taller = await page.evaluate(BAR_AND_CHAT)
    assert slim <= 40 and bar > 2 * slim, (bar, slim)
    assert taller >= chat + (bar - slim) - 1, (chat, taller)
    assert await page.locator("[data-testid='clock-day']").is_hidden()
    acting = await page.eval_on_selector(
        "[data-testid='demo-person']", "(s) => s.selectedOptions[0].text.split('（')[0]"
    )
    summary = await page.locator("[data-testid='demo-summary']").inner_text()
    assert acting in summary and "11月23日 周一 09:00" in summary
    await page.screenshot(path=str(ARTIFACTS / "sandbox-phone-bar-folded.png"))

    await page.reload()  # remembered
    await ready(page)
    await page.wait_for_selector("[data-testid='demo-bar'].folded")
    assert (await page.evaluate(BAR_AND_CHAT))[0] == slim
    await page.click("[data-testid='demo-toggle']")
    await page.wait_for_selector("[data-testid='demo-bar']:not(.folded)")
    assert await page.locator("[data-testid='clock-day']").is_visible()
    assert await toggle.get_attribute("aria-expanded") == "true"
    assert page.errors == []


async def test_the_demo_page_speaks_the_persons_language(
    browser: Any, server: SandboxServer, sandbox: Sandbox
) -> None:
    page = await open_page(browser, server.url, 360, 740)
    await ready(page)
    assert await page.inner_text("[data-testid='send']") == "发送"
    await page.fill("[data-testid='composer']", "/lang en")
    await page.press("[data-testid='composer']", "Enter")
    await page.wait_for_selector("html[lang='en']", state="attached")
    assert await page.inner_text("[data-testid='send']") == "Send"
    tabs = await page.locator("[data-testid='tab']").all_inner_texts()
    assert tabs[0] == "Chat with the assistant"
    assert page.errors == []

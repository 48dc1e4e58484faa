"""`township-bot demo`: the real bot, offline, against the built-in Telegram emulator."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import AppType, build_application, running
from bot.core.clock import ManualClock
from bot.core.config import parse_settings
from bot.core.i18n import gettext_for
from bot.core.logsetup import setup_logging
from bot.core.services import Services
from bot.week.deadline import meeting_time
from bot.week.schedule import week_rules
from bot.week.weeks import next_week
from devkit.datadir import DataDirBusy, DataDirLock, candidates, lock_data_dir
from devkit.emulator import BotApiEmulator
from devkit.sample import (
    ADMIN,
    GROUP_CHAT_ID,
    GROUP_TITLE,
    PEOPLE,
    TOWNSHIP_CODE,
    sample_config,
)
from devkit.sample.everything import seed_sample

DEMO_TOKEN = "7000000001:DEMO-offline-token-not-secret"
DEFAULT_PAGE_PORT = 8765
NEW_CADRE = (3001, "吴小平")
# How long the script waits for the bot's answer before it calls the run failed (a loaded
# CI machine can take many seconds; an answer is taken as soon as it comes).
REPLY_WITHIN = 60
STRANGER = (9999, "路人甲")


class Transcript:
    def __init__(self, echo: bool = True) -> None:
        self.lines: list[str] = []
        self.echo = echo

    def add(self, line: str) -> None:
        self.lines.append(line)
        if self.echo:
            print(line, flush=True)

    def user(self, name: str, text: str) -> None:
        self.add(f"\n👤 {name}: {text}")

    def bot(self, messages: list[Any]) -> None:
        for message in messages:
            body = (message.text or message.caption or "").strip()
            self.add("🤖 " + body.replace("\n", "\n   "))
            labels = [label for row in message.buttons for label, _ in row]
            if labels:
                self.add("   [" + "] [".join(labels) + "]")


Step = Callable[[BotApiEmulator, Transcript], Awaitable[None]]


async def say(
    emu: BotApiEmulator, t: Transcript, user_id: int, name: str, text: str, n: int = 1
) -> list[Any]:
    user = emu.user(user_id)
    if user.unread:  # scheduled messages that arrived meanwhile: show them first
        t.bot(await user.replies(len(user.unread), timeout=REPLY_WITHIN))
    t.user(name, text)
    await user.send(text)
    replies = await user.replies(n, timeout=REPLY_WITHIN)
    t.bot(replies)
    return replies


async def press(
    emu: BotApiEmulator, t: Transcript, user_id: int, name: str, message: Any, row: int, col: int
) -> Any:
    label, data = message.buttons[row][col]
    t.user(name, f"[{label}]")
    await emu.user(user_id).press(message, data)
    edited = await emu.user(user_id).wait_edit(message, timeout=REPLY_WITHIN)
    t.bot([edited])
    return edited


async def press_label(
    emu: BotApiEmulator, t: Transcript, user_id: int, name: str, message: Any, label: str
) -> Any:
    t.user(name, f"[{label}]")
    await emu.user(user_id).press(message, label)
    edited = await emu.user(user_id).wait_edit(message, timeout=REPLY_WITHIN)
    t.bot([edited])
    return edited


async def play_cadre_week(emu: BotApiEmulator, svc: Services, t: Transcript) -> None:
    """A cadre logs a visit with buttons, checks /me, and submits the Friday report."""
    _ = gettext_for("zh_CN")
    cadre = PEOPLE[1]
    uid, name = cadre.telegram_user_id, cadre.name
    rules = week_rules(svc.settings, TOWNSHIP_CODE)
    week = rules.current_week(svc.clock.now())
    window = rules.window(week) or rules.window(next_week(week))
    if window is None:
        raise AssertionError("no report window in this or the next week")
    if isinstance(svc.clock, ManualClock):
        # Thursday afternoon (or the week's equivalent): the report window is open.
        svc.clock.set(window.opens_at + timedelta(hours=2))
    t.add("\n— 6. A cadre logs a village visit with buttons (下乡记录) —")
    [picker] = await say(emu, t, uid, name, "/visit")
    card = await press_label(emu, t, uid, name, picker, "东岭村")
    card = await press_label(emu, t, uid, name, card, "⬜ 听取民意")
    card = await press_label(emu, t, uid, name, card, "➕")
    await press_label(emu, t, uid, name, card, _("➕ Problem solved"))
    [card] = await say(emu, t, uid, name, "帮助村民办理医保报销")
    await press_label(emu, t, uid, name, card, _("✅ Save"))
    t.add("\n— 7. /me: this week's field days, quotas and report deadline —")
    await say(emu, t, uid, name, "/me")
    t.add("\n— 8. The Friday report (周五交账): pre-filled from the visit logs, one tap —")
    [preview] = await say(emu, t, uid, name, "/report")
    done = await press_label(emu, t, uid, name, preview, _("✅ Submit"))
    if "✅" not in (done.text or ""):
        raise AssertionError("the report was not submitted")
    t.add("\n— 9. Last week, seeded for the sample township —")
    await say(emu, t, uid, name, "/me last")


async def play_script(
    emu: BotApiEmulator, svc: Services, t: Transcript, data_dir: Path | None = None
) -> None:
    secretary = PEOPLE[0]
    cadre = PEOPLE[1]
    mediator = PEOPLE[5]
    t.add("— 1. The secretary opens the bot —")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/start", n=2)
    t.add("\n— 2. The secretary invites a new cadre —")
    [link_message] = await say(emu, t, secretary.telegram_user_id, secretary.name, "/invite cadre")
    match = re.search(r"start=([A-Za-z0-9_-]+)", link_message.text or "")
    if not match:
        raise AssertionError("no invitation link in the reply")
    t.add("\n— 3. The new cadre follows the link and confirms the name —")
    [card] = await say(emu, t, NEW_CADRE[0], NEW_CADRE[1], f"/start {match.group(1)}")
    await press(emu, t, NEW_CADRE[0], NEW_CADRE[1], card, 0, 0)
    t.bot(await emu.user(NEW_CADRE[0]).replies(1, timeout=REPLY_WITHIN))
    t.add("\n— The secretary is told at once, and assigns the new cadre's village (包村) —")
    [told] = await emu.user(secretary.telegram_user_id).replies(1, timeout=REPLY_WITHIN)
    t.bot([told])
    toggles = await press(emu, t, secretary.telegram_user_id, secretary.name, told, 0, 0)
    await press(emu, t, secretary.telegram_user_id, secretary.name, toggles, 2, 1)  # 南沟村
    t.add("\n— 4. /help differs by role —")
    await say(emu, t, cadre.telegram_user_id, cadre.name, "/help")
    await say(emu, t, mediator.telegram_user_id, mediator.name, "/help")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/help")
    t.add("\n— 5. A stranger sees nothing —")
    await say(emu, t, STRANGER[0], STRANGER[1], "/start")
    await say(emu, t, STRANGER[0], STRANGER[1], "/members")
    await play_cadre_week(emu, svc, t)
    t.add("\n— 10. The mediator registers a dispute case found while screening —")
    who = (mediator.telegram_user_id, mediator.name)
    [prompt] = await say(emu, t, *who, "/case new")
    prompt = await press(emu, t, *who, prompt, 0, 0)  # 沙河子村
    prompt = await press(emu, t, *who, prompt, 0, 0)  # 邻里纠纷
    prompt = await press(emu, t, *who, prompt, 0, 0)  # 排查发现
    [prompt] = await say(emu, t, *who, "贺小明 13991239999\n贺大山")
    await press(emu, t, *who, prompt, 0, 0)  # done
    await say(emu, t, *who, "两家因共用水井的使用时间发生争吵")
    await say(emu, t, *who, "2")
    [prompt] = await say(emu, t, *who, "500")
    prompt = await press(emu, t, *who, prompt, 0, 0)  # 一般
    card = await press(emu, t, *who, prompt, 0, 0)  # save
    if not re.search(rf"{TOWNSHIP_CODE}-\d{{4}}-\d{{4}}", card.text or ""):
        raise AssertionError("the case was not registered")
    await press(emu, t, *who, card, 0, 0)  # start mediation
    t.add("\n— 11. The township's dispute figures, and the brief for the 政法联席会议 —")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/disputes")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/casebrief")
    await redblack_tour(emu, svc, t, data_dir or Path("data") / "demo")
    await monday_agenda_tour(emu, svc, t)


async def monday_agenda_tour(emu: BotApiEmulator, svc: Services, t: Transcript) -> None:
    """The week ends: the clock moves to the next Monday 08:00 and the agenda arrives."""
    from jobs.scheduler import Scheduler

    scheduler: Scheduler = emu_app_scheduler(svc)
    rules = week_rules(svc.settings, TOWNSHIP_CODE)
    monday = next_week(rules.current_week(svc.clock.now()))
    meeting = meeting_time(monday, rules.calendar, tz=rules.tz)
    if meeting is None or not isinstance(svc.clock, ManualClock):
        return
    secretary = PEOPLE[0]
    inbox = emu.user(secretary.telegram_user_id)
    if inbox.unread:
        await inbox.replies(len(inbox.unread), timeout=REPLY_WITHIN)
    t.add("\n— 16. The week ends; on Monday at 08:00 the meeting agenda arrives (周一例会) —")
    await scheduler.travel(meeting)
    _ = gettext_for("zh_CN")
    agenda = [m for m in inbox.unread if _("Monday meeting agenda (周一例会)") in (m.text or "")]
    if not agenda:
        raise AssertionError("the Monday agenda did not arrive")
    t.bot(agenda)


def emu_app_scheduler(svc: Services) -> Any:
    scheduler = svc.extras.get("scheduler")
    if scheduler is None:
        raise AssertionError("the scheduler is not running")
    return scheduler


async def redblack_tour(emu: BotApiEmulator, svc: Services, t: Transcript, data_dir: Path) -> None:
    """Red and black lists with due process, ending with a published list and its page."""
    from datetime import timedelta

    from bot.core.clock import ManualClock
    from bot.core.db import members as member_db
    from bot.lists import queries as rb_db
    from bot.lists.pdf import list_document

    secretary, black = PEOPLE[0], PEOPLE[2]
    t.add("\n— 12. The secretary previews last week's red and black lists (红黑榜) —")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/redblack preview week", n=2)
    t.add("\n— 13. Everybody named is told privately, with the facts; 王建军 objects —")
    [told] = await emu.user(black.telegram_user_id).replies(1, timeout=REPLY_WITHIN)
    t.bot([told])
    await say(
        emu, t, black.telegram_user_id, black.name, "/object 那周我在县里参加培训，属于公务外出"
    )
    [notice] = await emu.user(secretary.telegram_user_id).replies(1, timeout=REPLY_WITHIN)
    t.bot([notice])
    t.add(
        "\n— 14. The secretary checks and rejects the objection (no official duty was "
        "recorded), with a note for him —"
    )
    label = notice.buttons[0][1][0]
    t.user(secretary.name, f"[{label}]")
    await emu.user(secretary.telegram_user_id).press(notice, label)
    t.bot(await emu.user(secretary.telegram_user_id).replies(1, timeout=REPLY_WITHIN))
    await say(
        emu,
        t,
        secretary.telegram_user_id,
        secretary.name,
        "经核查，那周没有公务外出的登记；如确有培训，请先补录公务外出，再申请更正。",
    )
    t.bot(await emu.user(black.telegram_user_id).replies(1, timeout=REPLY_WITHIN))
    if isinstance(svc.clock, ManualClock):
        window = timedelta(hours=svc.settings.redblack.objection_window_hours, minutes=1)
        # Travel rather than jump, so the reminders due meanwhile go out as they would.
        await emu_app_scheduler(svc).travel(svc.clock.now() + window)
        t.add("\n(… the objection window closes …)")
    t.add("\n— 15. The secretary publishes to the township group chat —")
    await say(emu, t, secretary.telegram_user_id, secretary.name, "/redblack publish", n=2)
    posted = [m for m in emu.chat(GROUP_CHAT_ID).messages if m.from_bot]
    if not posted:
        raise AssertionError("nothing was posted to the group chat")
    t.add(f"\n📣 {GROUP_TITLE}:")
    t.bot(posted)
    async with svc.transaction() as session:
        township = await member_db.township_by_code(session, TOWNSHIP_CODE)
        assert township is not None
        issue = await rb_db.latest_published(session, township.id)
    if issue is None:
        raise AssertionError("no published issue")
    page = await list_document(
        svc.renderer, svc.settings, TOWNSHIP_CODE, issue.snapshot, issue, "zh_CN", svc.clock.now()
    )
    path = data_dir / page.filename
    path.write_bytes(page.data)
    t.add(f"\n🖨 Printable page for the notice board: {path.resolve()}")


def fresh_database(data_dir: Path) -> Path:
    """The demo starts from the sample township every time."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db_path = data_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return db_path


async def start_demo(data_dir: Path, port: int = 0) -> tuple[BotApiEmulator, AppType, Path]:
    """The scripted demo's bot and emulator; `data_dir` must be held (`lock_data_dir`)."""
    db_path = fresh_database(data_dir)
    emu = BotApiEmulator(port=port)
    await emu.start()
    emu.add_bot(DEMO_TOKEN, username="township_demo_bot", first_name="乡镇工作助手")
    for person in [*PEOPLE, ADMIN]:
        emu.add_user(person.telegram_user_id, person.name)
    emu.add_group(GROUP_CHAT_ID, GROUP_TITLE, [p.telegram_user_id for p in PEOPLE])
    emu.add_user(NEW_CADRE[0], NEW_CADRE[1])
    emu.add_user(STRANGER[0], STRANGER[1])
    emu.add_group(GROUP_CHAT_ID, GROUP_TITLE, [p.telegram_user_id for p in [*PEOPLE, ADMIN]])
    api_base = emu.base_url.removesuffix("/bot")
    settings = parse_settings(
        sample_config(DEMO_TOKEN, api_base, f"sqlite+aiosqlite:///{db_path}"), "demo"
    )
    clock = ManualClock(datetime.now(UTC))
    app = build_application(settings, clock=clock)
    return emu, app, db_path


async def wait_for_ctrl_c() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run_demo(
    script_only: bool = False,
    port: int = 0,
    data_dir: Path | None = None,
    *,
    page: bool = False,
    page_port: int = DEFAULT_PAGE_PORT,
    open_browser: bool = False,
) -> int:
    data_dir = data_dir or Path("data") / "demo"
    setup_logging([DEMO_TOKEN], level=logging.WARNING)
    if page and not script_only:
        return await run_sandbox(data_dir, port, page_port, open_browser)
    data_dir, dir_lock = claim_data_dir(data_dir)
    emu, app, db_path = await start_demo(data_dir, port)
    transcript = Transcript()
    try:
        async with running(app, poll_timeout=10):
            svc: Services = app.bot_data["services"]
            async with svc.transaction() as session:
                await seed_sample(session, svc.settings, svc.clock.now())
            print("township-bot demo: the real bot against the built-in Telegram emulator.")
            print(f"Sample township: 沙河子镇 ({TOWNSHIP_CODE}); every person is invented.\n")
            try:
                await play_script(emu, svc, transcript, data_dir)
            except (AssertionError, TimeoutError) as exc:
                print(f"\nThe scripted demo failed: {exc}", file=sys.stderr)
                return 1
            print(f"\nDatabase: {db_path.resolve()}")
            print(f"Telegram emulator (Bot API): {emu.base_url}")
            if script_only:
                print("Scripted demo finished successfully.")
                return 0
            print("The bot keeps running; press Ctrl-C to stop.")
            await wait_for_ctrl_c()
            return 0
    finally:
        await emu.stop()
        dir_lock.release()


def claim_data_dir(wanted: Path) -> tuple[Path, DataDirLock]:
    """`wanted`, or the first directory beside it that no other demo process holds."""
    for candidate in candidates(wanted):
        try:
            return candidate, lock_data_dir(candidate)
        except DataDirBusy:
            say_busy(candidate)
    raise SystemExit(f"Every data directory beside {wanted} is in use by another demo.")


def say_busy(data_dir: Path) -> None:
    print(
        f"{data_dir.resolve()} is in use by another demo process; "
        "its data is left alone, and this demo uses a directory of its own.",
        flush=True,
    )


async def run_sandbox(data_dir: Path, port: int, page_port: int, open_browser: bool) -> int:
    """The real bot, the emulator and the sandbox page, until Ctrl-C."""
    from devkit.sandbox import Sandbox, SandboxServer

    for candidate in candidates(data_dir):
        sandbox = Sandbox(candidate, emulator_port=port)
        try:
            await sandbox.start()
            break
        except DataDirBusy:
            say_busy(candidate)
    else:
        raise SystemExit(f"Every data directory beside {data_dir} is in use by another demo.")
    server = SandboxServer(sandbox, port=page_port)
    try:
        try:
            await server.start()
        except OSError as exc:
            if page_port == 0:
                raise
            print(f"Port {page_port} is busy ({exc.strerror}); using a free one instead.")
            server = SandboxServer(sandbox, port=0)
            await server.start()
        print("township-bot demo: the real bot against the built-in Telegram emulator.")
        print(f"Sample township: 沙河子镇 ({TOWNSHIP_CODE}); every person is invented.")
        print(f"Database: {sandbox.db_path.resolve()}")
        print(f"Telegram emulator (Bot API): {sandbox.emu.base_url}")
        print(f"\nOpen the demo web chat in a browser:  {server.url}\n")
        print("Press Ctrl-C to stop.", flush=True)
        if open_browser:
            import webbrowser

            await asyncio.to_thread(webbrowser.open, server.url)
        await wait_for_ctrl_c()
        return 0
    finally:
        await server.stop()
        await sandbox.stop()

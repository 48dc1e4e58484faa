"""Day one in a township office, as the README tells it: `township-bot init` (its questions
answered by the test) checks the token against the Bot API and prints the first secretary's
invitation; the bot starts from the file it wrote; the secretary opens the link, invites
a cadre and sets the township group by adding the bot to it. No Telegram id is typed
anywhere."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.core.clock import ManualClock
from bot.core.config import load_settings
from devkit.emulator import BotApiEmulator
from tests.conftest import SHANGHAI, TOKEN
from tests.e2e.helpers import token_from, zh
from tests.processes import cli

SECRETARY_ID, CADRE_ID = 5001, 5002


async def init(cwd: Path, answers: list[str]) -> tuple[int, str, str]:
    return await cli("init", cwd=cwd, stdin="\n".join(answers) + "\n")


@pytest.mark.e2e
async def test_from_init_to_a_secretary_who_invites_a_cadre(
    emulator: BotApiEmulator, tmp_path: Path, no_network: None
) -> None:
    api = emulator.base_url.removesuffix("/bot")
    answers = ["沙河子镇", "shz", "沙河子村", "东岭村、西坡村", "", "", "3", api, TOKEN]
    code, out, err = await init(tmp_path, answers)
    assert code == 0, out + err
    assert "Traceback" not in out + err
    # getMe answered: the token is good and the bot's username was learned, not asked.
    assert "令牌有效：机器人为 @township_test_bot。" in out
    assert "以 bot 结尾" not in out
    [link] = re.findall(r"https://t\.me/\S+", out)
    assert link.startswith("https://t.me/township_test_bot?start=")

    settings = load_settings(tmp_path / "config.toml")
    assert settings.telegram.api_base_url == api and settings.telegram.token == TOKEN
    app = build_application(settings, clock=ManualClock(datetime.now(SHANGHAI)))
    async with running(app, poll_timeout=5):
        secretary = emulator.add_user(SECRETARY_ID, "张明远")
        await secretary.send(f"/start {token_from(link)}")
        card = await secretary.reply(timeout=10)
        assert "沙河子镇" in card.text and zh("secretary") in card.text
        await secretary.press(card, zh("✅ Confirm"))
        welcome = await secretary.wait_edit(card, timeout=10)
        assert welcome.text == zh("Welcome, {name}! You are registered.").format(name="张明远")
        [menu] = await secretary.replies(1, timeout=10)
        assert "/invite" in menu.text

        await secretary.send("/invite cadre")
        invitation = await secretary.reply(timeout=10)
        assert "https://t.me/township_test_bot?start=" in invitation.text
        cadre = emulator.add_user(CADRE_ID, "李春华")
        await cadre.send(f"/start {token_from(invitation.text)}")
        card = await cadre.reply(timeout=10)
        assert zh("cadre") in card.text
        await cadre.press(card, zh("✅ Confirm"))
        welcome = await cadre.wait_edit(card, timeout=10)
        assert welcome.text == zh("Welcome, {name}! You are registered.").format(name="李春华")

        # check-config now finds the secretary in the database, and the token works.
        code, out, err = await cli("check-config", cwd=tmp_path)
        assert code == 0, out + err
        assert "令牌有效：机器人为 @township_test_bot。" in out
        assert "还没有人能够管理" not in out and "还没有书记加入" not in out
        assert "没有乡镇工作群" in out

        # The secretary was told of the cadre's registration; adding the bot to the work
        # group, they are offered (privately) to make it the township group.
        [told] = await secretary.replies(1, timeout=10)
        assert "李春华" in told.text
        group_id = -1005000000001
        emulator.add_group(group_id, "沙河子镇工作群", [SECRETARY_ID, CADRE_ID], with_bot=False)
        emulator.add_bot_to_group(group_id, by_user=SECRETARY_ID)
        offer = await secretary.reply(timeout=10)
        await secretary.press(
            offer, zh("✅ Make it the group of {township}").format(township="沙河子镇")
        )
        await secretary.wait_edit(offer, timeout=10)
        assert "沙河子镇" in (await emulator.chat(group_id).reply(timeout=10)).text
        code, out, err = await cli("check-config", cwd=tmp_path)
        assert code == 0, out + err
        assert "没有乡镇工作群" not in out

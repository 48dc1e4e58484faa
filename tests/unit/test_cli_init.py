"""`township-bot init`: the guided set-up, its prompts answered from the test."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.cli.common import text_for
from bot.cli.wizard import Wizard
from bot.core.config import load_settings
from bot.core.db import members as member_db
from bot.core.db.engine import create_engine, session_factory
from bot.core.reach import Route, TelegramUnreachable, Text, TokenRejected
from bot.members import queries as member_queries
from tests.processes import free_port
from tests.unit.test_cli import run

zh = text_for("zh_CN")
TOKEN = "7000000001:TEST-token-for-the-emulator"
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


class Script:
    """Answers the wizard's questions in order and records everything it says."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        self.lines: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        self.lines.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.lines.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


async def offline(token: str, route: Route, _: Text) -> str:
    raise TelegramUnreachable(route, _("the connection was refused"))


def wizard(path: Path, script: Script, language: str = "zh_CN", **kwargs) -> Wizard:
    kwargs.setdefault("environ", {})
    kwargs.setdefault("check", offline)
    return Wizard(path, language, ask=script.ask, say=script.say, **kwargs)


def secretary_invite(url: str, token: str) -> tuple[str, str, bool]:
    """(township code, role, unused) of the invitation behind a link's token."""

    async def read() -> tuple[str, str, bool]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                invite = await member_queries.find_invite(session, token)
                assert invite is not None
                township = await member_db.township_by_id(session, invite.township_id)
                assert township is not None
                return township.code, invite.role, invite.used_at is None
        finally:
            await engine.dispose()

    return asyncio.run(read())


VILLAGES = ("1. 沙河子村", "东岭村、西坡村", "")
PLAIN = ("沙河子镇", "shz", *VILLAGES, "", "1", "", "shz_work_bot")


def test_a_plain_run_writes_the_config_and_invites_the_first_secretary(
    tmp_path: Path, no_network: None
) -> None:
    path = tmp_path / "config.toml"
    script = Script(*PLAIN)
    assert wizard(path, script).run() == 0
    settings = load_settings(path)
    township = settings.townships[0]
    assert (township.code, township.name) == ("SHZ", "沙河子镇")
    assert [v.name for v in township.villages] == ["沙河子村", "东岭村", "西坡村"]
    assert township.secretaries == [] and settings.roles.admins == []
    assert settings.timezone == "Asia/Shanghai" and settings.language == "zh_CN"
    assert settings.telegram.token == "" and settings.telegram.bot_username == "shz_work_bot"
    assert settings.telegram.api_base_url == "https://api.telegram.org"
    assert settings.telegram.proxy is None
    # The database sits beside the config file, wherever the bot is started from.
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path}/data/township.db"
    # Commented in Chinese, and nothing asks for or holds a Telegram id.
    text = path.read_text(encoding="utf-8")
    assert "# 各村（包村单位）" in text and "TOWNSHIP_BOT_TOKEN" in text
    assert not any("ID" in prompt or "id" in prompt.split() for prompt in script.prompts)
    [(username, token)] = LINK.findall(script.text)
    assert username == "shz_work_bot"
    assert secretary_invite(settings.database.url, token) == ("SHZ", "secretary", True)
    assert "township-bot run" in script.text and "/invite" in script.text


def test_wrong_answers_are_explained_and_asked_again(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "config.toml"
    script = Script(
        "",  # no name
        "沙河子镇",
        "沙河",  # not letters
        "S",  # too short
        "shz",
        "",  # no villages at all
        "沙河子村",
        "",
        "Mars/Base",
        "Asia/Urumqi",
        "4",
        "2",
        "127.0.0.1:7890",  # no scheme
        "socks5://user:secret@127.0.0.1:1080",
        "123",  # not a token
        TOKEN,
        "@not a bot",
        "https://t.me/shz_work_bot",
    )
    assert wizard(path, script).run() == 0
    said = script.text
    for message in (
        zh("Please type the township's name (at most 64 characters)."),
        zh(
            "{answer} is not a township code: use 2–10 capital letters or digits, starting "
            "with a letter (such as SHZ)."
        ).format(answer="'沙河'"),
        zh(
            "{answer} is not a township code: use 2–10 capital letters or digits, starting "
            "with a letter (such as SHZ)."
        ).format(answer="'S'"),
        zh(
            "At least one village is needed: type or paste the names, one a line, then an "
            "empty line."
        ),
        zh(
            "{answer} is not a time zone this computer knows: use a name such as "
            "Asia/Shanghai or Asia/Urumqi."
        ).format(answer="'Mars/Base'"),
        zh("Please answer 1, 2 or 3."),
        zh(
            "{answer} is not a proxy address: write it as http://host:port or "
            "socks5://host:port (user:password@ may come before the host)."
        ).format(answer="'127.0.0.1:7890'"),
        zh(
            "This does not look like a bot token (digits, a colon, then about 35 letters, "
            "digits, - and _). Paste it again, or press Enter to skip."
        ),
        zh(
            "{answer} is not a bot's username: 5–32 letters, digits and _, ending in bot "
            "(such as shz_work_bot)."
        ).format(answer="'@not a bot'"),
    ):
        assert message in said, message
    # No network: said in one line, and the set-up carries on.
    unreachable = [line for line in script.lines if "无法连接" in line]
    assert len(unreachable) == 1 and "连接被拒绝" in unreachable[0]
    settings = load_settings(path)
    assert settings.townships[0].code == "SHZ" and settings.timezone == "Asia/Urumqi"
    assert [v.name for v in settings.townships[0].villages] == ["沙河子村"]
    assert settings.telegram.proxy == "socks5://user:secret@127.0.0.1:1080"
    assert settings.telegram.token == TOKEN and settings.telegram.bot_username == "shz_work_bot"
    # The file holds the token, so only its owner may read it.
    assert path.stat().st_mode & 0o077 == 0


def test_a_rejected_token_is_asked_again_and_getme_names_the_bot(
    tmp_path: Path, no_network: None
) -> None:
    seen: list[tuple[str, Route]] = []

    async def telegram(token: str, route: Route, _: Text) -> str:
        seen.append((token, route))
        if len(seen) == 1:
            raise TokenRejected(route)
        return "shz_work_bot"

    other = "7000000002:another-token-for-the-emulator"
    path = tmp_path / "config.toml"
    script = Script(
        "沙河子镇", "SHZ", *VILLAGES, "", "3", "http://127.0.0.1:8081/bot/", TOKEN, other
    )
    assert wizard(path, script, check=telegram).run() == 0
    route = Route("http://127.0.0.1:8081")
    assert seen == [(TOKEN, route), (other, route)]
    assert (
        zh("Telegram rejected this token. Check it with @BotFather (/token) and paste it again.")
        in script.text
    )
    # The username came from getMe: it was never asked.
    assert not any("bot 结尾" in prompt for prompt in script.prompts)
    settings = load_settings(path)
    assert settings.telegram.bot_username == "shz_work_bot"
    assert settings.telegram.api_base_url == "http://127.0.0.1:8081"
    assert settings.telegram.token == other


def test_the_token_may_come_from_the_environment(tmp_path: Path, no_network: None) -> None:
    seen: list[str] = []

    async def telegram(token: str, route: Route, _: Text) -> str:
        seen.append(token)
        return "shz_work_bot"

    path = tmp_path / "config.toml"
    script = Script("沙河子镇", "SHZ", *VILLAGES, "", "", "")
    environ = {"TOWNSHIP_BOT_TOKEN": TOKEN}
    assert wizard(path, script, check=telegram, environ=environ).run() == 0
    assert seen == [TOKEN]
    text = path.read_text(encoding="utf-8")
    assert 'token = ""' in text and TOKEN not in text
    assert "TOWNSHIP_BOT_TOKEN" in text


def test_an_existing_config_is_replaced_only_with_force(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# the township's own settings\n", encoding="utf-8")
    script = Script(*PLAIN)
    assert wizard(path, script).run() == 2
    assert script.prompts == [] and "--force" in script.text
    assert path.read_text(encoding="utf-8") == "# the township's own settings\n"

    script = Script(*PLAIN)
    assert wizard(path, script, force=True).run() == 0
    assert load_settings(path).townships[0].code == "SHZ"
    kept = tmp_path / "config.toml.bak"
    assert kept.read_text(encoding="utf-8") == "# the township's own settings\n"


def test_answers_that_end_early_write_nothing(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "config.toml"
    script = Script("沙河子镇", "SHZ", "沙河子村")  # stdin closes inside the village list
    assert wizard(path, script).run() == 1
    assert not path.exists() and not (tmp_path / "data").exists()
    assert (
        zh("The answers ended before the set-up was finished; nothing was written.") in script.text
    )


def test_english_on_request(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "config.toml"
    script = Script(*PLAIN)
    assert wizard(path, script, language="en").run() == 0
    assert "Township code: " in script.prompts
    text = path.read_text(encoding="utf-8")
    assert 'language = "en"' in text and "# Villages (包村 units)" in text


def test_init_as_a_process_without_network(tmp_path: Path) -> None:
    """The real command, stdin answered by the test; the Bot API server's port is closed."""
    closed = f"http://127.0.0.1:{free_port()}"
    answers = ["沙河子镇", "shz", "沙河子村", "东岭村", "", "", "3", closed, TOKEN, "shz_work_bot"]
    result = run("init", cwd=tmp_path, stdin="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    unreachable = [line for line in result.stdout.splitlines() if "无法连接 Telegram" in line]
    assert len(unreachable) == 1 and "连接被拒绝" in unreachable[0]
    [(username, token)] = LINK.findall(result.stdout)
    settings = load_settings(tmp_path / "config.toml")
    assert username == "shz_work_bot" and settings.telegram.api_base_url == closed
    assert secretary_invite(settings.database.url, token) == ("SHZ", "secretary", True)
    # And again without --force: refused, file untouched.
    again = run("init", "--lang", "en", cwd=tmp_path, stdin="\n".join(answers) + "\n")
    assert again.returncode == 2 and "--force" in again.stdout

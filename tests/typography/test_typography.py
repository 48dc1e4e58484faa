"""Every template and every catalogue message, rendered in zh_CN with sample data, written as
an official Chinese text writes it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.agenda.rules import next_meeting
from bot.core.i18n import load_catalog
from bot.core.money import yuan
from bot.core.render import PUNCTUATION, Renderer, format_datetime, format_span
from tests.typography.checks import problems, spaced_values
from tests.typography.samples import Sample, SampleText

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.j2")
)


def render_sample(name: str) -> str:
    renderer = Renderer()
    renderer.env.undefined = Sample
    for width in (3, 2, 4, 5, 1):
        SampleText.width = width
        try:
            return str(renderer.render(name, "zh_CN"))
        except ValueError as e:  # `for a, b in ...` over a sample of another width
            if "unpack" not in str(e):
                raise
        finally:
            SampleText.width = 3
    raise AssertionError(f"{name}: no sample shape renders it")


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_in_chinese(name: str) -> None:
    text = render_sample(name)
    if name.endswith("macros.html.j2"):  # only macros, rendered by the templates using them
        return
    assert "李" in text, "the sample data must reach the page"
    assert problems(text) == []


def test_catalogue_messages_in_chinese() -> None:
    found = []
    for message in load_catalog("zh_CN"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            text = re.sub(r"\{[^{}]*\}", "李春华", s)
            found += [f"{message.id!r}: {p}" for p in problems(text)]
    assert found == []


def test_catalogue_messages_put_no_space_between_chinese_and_a_number() -> None:
    found = []
    for message in load_catalog("zh_CN"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [f"{message.id!r}: {s!r}" for s in strings if s and spaced_values(s)]
    assert found == []


def test_the_spacing_check_keeps_latin_text_apart() -> None:
    for bad in (
        "信访救助：{amount}，共 {count} 笔",
        "第 {number} 期",
        "<b>{name}</b> 的包村村庄",
        "请输入 11 位手机号",
        "{days} 天",
    ):
        assert spaced_values(bad), bad
    for good in (
        "共{count}笔",
        "没有找到案件 {number}。",  # a case number is Latin: SHZ-2026-0058
        "仍可发送 /report 补交",
        "通知的纯文本文件（UTF-8 或 GB18030 编码）",
        "代理地址，如 http://127.0.0.1:7890 或 socks5://用户名:密码@主机:1080",
        "例如：张三 13812345678。",
        "例如“60 主体完工”。",
        "确定删除{day} {village}的下乡记录吗？",
    ):
        assert spaced_values(good) == [], good


def test_a_moment_has_no_space_before_its_time_in_chinese() -> None:
    moment = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    tz = ZoneInfo("Asia/Shanghai")
    assert format_datetime(moment, tz) == "12月3日（周四）15:00"
    assert format_datetime(moment, tz, weekday=False) == "12月3日15:00"
    assert format_datetime(moment, tz, "en") == "03 Dec (Thu) 15:00"


def test_the_checks_catch_what_the_issue_reported() -> None:
    for bad in (
        "孙立新: 下乡 1/3 天, 排查 0/1 次",
        "🔴 红榜: 李春华",
        "李春华 (沙河子村)",
        "（12月3日（周四） 15:00）",
        "还有 0 天到期",
    ):
        assert problems(bad), bad
    assert problems("代理地址，如 socks5://用户名:密码@主机:1080") == []
    assert problems("1. <b>李春华</b>（沙河子村） · 3 分") == []


def test_asides_are_never_nested() -> None:
    zh, en = PUNCTUATION["zh_CN"], PUNCTUATION["en"]
    assert zh.paren("12月3日（周四）15:00") == "（12月3日周四 15:00）"
    assert zh.paren("李春华（沙河子村）") == "（李春华，沙河子村）"
    assert zh.paren("<b>") == "（&lt;b&gt;）"
    assert en.paren("tied") == " (tied)"


def test_a_span_says_the_month_once() -> None:
    assert format_span(date(2026, 11, 23), date(2026, 11, 29)) == "11月23日–29日"
    assert format_span(date(2026, 11, 30), date(2026, 12, 6)) == "11月30日–12月6日"
    assert format_span(date(2026, 11, 23), date(2026, 11, 29), "en") == "23 Nov–29 Nov"
    assert format_span(date(2026, 11, 23), date(2026, 11, 23)) == "11月23日"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("30000", "3万元", "¥30,000"),
        ("12000", "1.2万元", "¥12,000"),
        ("12345", "12345元", "¥12,345"),
        ("1200", "1200元", "¥1,200"),
        ("1200.5", "1200.50元", "¥1,200.50"),
        ("100000000", "1亿元", "¥100,000,000"),
    ],
)
def test_amounts_in_yuan(value: str, zh: str, en: str) -> None:
    assert yuan(Decimal(value)) == zh
    assert yuan(Decimal(value), "en") == en


def test_the_next_meeting_is_never_a_past_day() -> None:
    def monday(week: date) -> date | None:
        return week

    def after_a_holiday_monday(week: date) -> date | None:
        return week if week != date(2026, 12, 7) else date(2026, 12, 8)

    thursday = date(2026, 12, 3)
    assert next_meeting(thursday, monday) == date(2026, 12, 7)
    assert next_meeting(date(2026, 11, 30), monday) == date(2026, 11, 30)
    assert next_meeting(thursday, after_a_holiday_monday) == date(2026, 12, 8)


def test_a_deadline_today_or_tomorrow_is_said_so() -> None:
    items = [
        {"number": f"SHZ-2026-000{days}", "village": "东岭村", "kind": "due_soon", "days": days}
        | {"deadline": f"12月{3 + days}日"}
        for days in (0, 1, 2)
    ]
    text = str(Renderer().render("cases/reminders.html.j2", "zh_CN", items=items, escalation=False))
    lines = [line for line in text.splitlines() if "SHZ-2026" in line]
    assert lines[0].endswith("东岭村 — 今天到期")
    assert lines[1].endswith("东岭村 — 明天到期")
    assert lines[2].endswith("东岭村 — 12月5日到期，还有2天")
    assert problems(text) == []

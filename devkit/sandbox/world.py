"""The sandbox's fixed world: its bot and people, a place outside every village, the start
time, generated photos and distances."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from bot.week.weeks import week_of
from devkit.demo import DEMO_TOKEN, NEW_CADRE, STRANGER
from devkit.sample import ADMIN, PEOPLE

SANDBOX_TOKEN = DEMO_TOKEN
BOT_USERNAME = "township_demo_bot"
BOT_NAME = "乡镇工作助手"
# Not registered: the newcomer follows an invitation link, the stranger sees nothing.
NEWCOMER = NEW_CADRE
# A point well outside every sample village ("elsewhere").
ELSEWHERE = {"name": "elsewhere", "label": "别处（县城）", "lat": 33.7900, "lon": 110.1500}
# Shared points sit a few dozen metres off the village centre, like a real phone fix.
JITTER = 0.0004
CLOCK_ACTIONS = ("deadline", "meeting", "hour", "day")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    note: str  # shown under the name when the person holds no role


def sandbox_people() -> list[Person]:
    people = [Person(p.telegram_user_id, p.name, "") for p in PEOPLE]
    people.append(
        Person(ADMIN.telegram_user_id, ADMIN.name, "配置里的县级管理员：发送 /start 即注册")
    )
    people.append(Person(NEWCOMER[0], NEWCOMER[1], "新人，未注册：打开书记发出的邀请链接"))
    people.append(Person(STRANGER[0], STRANGER[1], "陌生人，未注册"))
    return people


def demo_start(now: datetime, tz: Any) -> datetime:
    """Monday 09:00 (township time) of the current week: a work week to walk through."""
    monday = week_of(now.astimezone(tz).date())
    return datetime.combine(monday, time(9, 0), tzinfo=tz)


def generated_photo(seed: int, width: int = 160, height: int = 120) -> bytes:
    """A small PNG landscape (sky, sun, hills, a field); ``seed`` varies the colours."""
    hue = (seed * 37) % 60
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            hill = height * 0.55 + 12 * math.sin(x / 17 + seed) + 6 * math.sin(x / 7)
            sun = (x - width * 0.75) ** 2 + (y - height * 0.25) ** 2 < 110
            if sun:
                rgb = (255, 214, 90)
            elif y < hill:
                t = y / hill
                rgb = (int(120 + 80 * t), int(170 + 60 * t), 235)
            elif y < height * 0.8:
                rgb = (60 + hue, 140 - (y % 9) * 3, 70)
            else:
                stripe = 15 if (x // 8 + y // 4) % 2 else 0
                rgb = (160 + stripe, 120 + stripe + hue // 3, 60)
            row.extend(rgb)
        rows.append(bytes(row))

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))

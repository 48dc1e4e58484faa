"""The sample township used by the demo, the sandbox and the tests.

沙河子镇 and 沙河子村 are real places from the source report; the other villages and every
person here are invented, because a demo can put a name on a black list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import members as member_db
from bot.core.models import Member, MemberRole, VillageAssignment

TOWNSHIP_CODE = "SHZ"
TOWNSHIP_NAME = "沙河子镇"
# The township's group chat (agendas and published lists go there); a supergroup id.
GROUP_CHAT_ID = -1001000000101
GROUP_TITLE = "沙河子镇工作群"

VILLAGES: list[dict[str, Any]] = [
    {"name": "沙河子村", "lat": 33.8650, "lon": 109.9880, "radius_m": 1500},
    {"name": "东岭村", "lat": 33.8790, "lon": 110.0105, "radius_m": 1200},
    {"name": "西坡村", "lat": 33.8545, "lon": 109.9702, "radius_m": 1200},
    {"name": "河口村", "lat": 33.8420, "lon": 109.9955, "radius_m": 1500},
    {"name": "杨庄村", "lat": 33.8885, "lon": 109.9790},
    {"name": "南沟村"},
]


@dataclass(frozen=True)
class SamplePerson:
    telegram_user_id: int
    name: str
    roles: tuple[str, ...]
    villages: tuple[str, ...] = ()


PEOPLE = [
    SamplePerson(1001, "张明远", ("secretary",)),
    SamplePerson(1002, "李春华", ("cadre",), ("沙河子村", "东岭村")),
    SamplePerson(1003, "王建军", ("cadre",), ("西坡村",)),
    SamplePerson(1004, "赵秀兰", ("cadre",), ("河口村", "杨庄村")),
    SamplePerson(1005, "孙立新", ("cadre",), ("南沟村",)),
    SamplePerson(1006, "周桂芳", ("mediator", "cadre"), ("沙河子村",)),
]
ADMIN = SamplePerson(1000, "县级管理员", ("admin",))
# The sample people have been on the job for a while (lists judge full weeks after joining).
SAMPLE_SERVICE = timedelta(days=90)
OTHER_TOWNSHIP = {"code": "DJH", "name": "大荆镇", "villages": [{"name": "西河村"}]}
OTHER_PERSON = SamplePerson(2001, "钱卫东", ("secretary",))


def sample_config(token: str, api_base_url: str, database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "timezone": "Asia/Shanghai",
        "language": "zh_CN",
        "telegram": {
            "token": token,
            "api_base_url": api_base_url,
            "bot_username": "township_demo_bot",
        },
        "database": {"url": database_url},
        "roles": {"admins": [ADMIN.telegram_user_id]},
        "townships": [
            {
                "code": TOWNSHIP_CODE,
                "name": TOWNSHIP_NAME,
                "group_chat_id": GROUP_CHAT_ID,
                "villages": VILLAGES,
            },
            OTHER_TOWNSHIP,
        ],
        **extra,
    }


async def seed_people(
    session: AsyncSession,
    now: datetime,
    people: list[SamplePerson] | None = None,
    code: str = TOWNSHIP_CODE,
) -> dict[int, int]:
    """Register sample members directly (as if they had used invites). telegram id -> member id."""
    township = await member_db.township_by_code(session, code)
    assert township is not None, "sync_townships must run first"
    villages = {v.name: v.id for v in await member_db.villages_of(session, township.id)}
    ids: dict[int, int] = {}
    for person in PEOPLE if people is None else people:
        member = Member(
            telegram_user_id=person.telegram_user_id,
            display_name=person.name,
            language="zh_CN",
            created_at=now - SAMPLE_SERVICE,
        )
        session.add(member)
        await session.flush()
        for role in person.roles:
            session.add(
                MemberRole(
                    member_id=member.id,
                    township_id=None if role == "admin" else township.id,
                    role=role,
                    joined_at=member.created_at,
                )
            )
        for name in person.villages:
            session.add(VillageAssignment(member_id=member.id, village_id=villages[name]))
        await member_db.audit(
            session,
            at=now,
            action="member.seed",
            entity="member",
            entity_id=member.id,
            township_id=township.id,
        )
        ids[person.telegram_user_id] = member.id
    await session.flush()
    return ids

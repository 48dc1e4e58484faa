"""Helpers for the dispute case tests: register through the chat, or set up through the data
layer (for statistics), and read case numbers from cards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cases import queries as case_db
from bot.cases.access import domain_actor
from bot.cases.rules import Action, ActionPayload, Tier
from bot.core.db import members as member_db
from bot.core.models import DisputeCase
from tests.e2e.helpers import ask1, button_labels, press, zh

SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER = re.compile(r"[A-Z]{2,10}-\d{4}-\d{4,}")


def number_in(message: Any) -> str:
    match = NUMBER.search(message.text)
    assert match, message.text
    return match.group(0)


def tier_button(message: Any, tier: str) -> str:
    """The tier button whose label starts with the translated tier (一般 / 复杂 / 疑难)."""
    return next(label for label in button_labels(message) if label.startswith(tier))


async def register(
    world: Any,
    user_id: int,
    *,
    village: str = "东岭村",
    category: str = "邻里纠纷",
    source: str = "排查发现",
    parties: str = "张三 13912345678\n李四",
    description: str = "宅基地边界争议，双方多次争吵",
    people: str = "3",
    amount: str | None = "1.2万",
    tier: str = "一般",
) -> Any:
    """Walk /case new to the end; returns the card of the saved case."""
    card = await ask1(world, user_id, "/case new")
    card = await press(world, user_id, card, village)
    card = await press(world, user_id, card, category)
    card = await press(world, user_id, card, source)
    card = await ask1(world, user_id, parties)
    card = await press(world, user_id, card, zh("✔️ Done"))
    await ask1(world, user_id, description)
    prompt = await ask1(world, user_id, people)
    if amount is None:
        card = await press(world, user_id, prompt, zh("No money involved"))
    else:
        card = await ask1(world, user_id, amount)
    card = await press(world, user_id, card, tier_button(card, tier))
    return await press(world, user_id, card, zh("✅ Save"))


async def count_cases(world: Any) -> int:
    async with world.svc.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(DisputeCase)) or 0)


async def case_row(world: Any, number: str) -> DisputeCase:
    async with world.svc.transaction() as session:
        row = await session.scalar(select(DisputeCase).where(DisputeCase.number == number))
    assert row is not None
    return row


async def db_register(
    world: Any,
    user_id: int,
    *,
    village: str = "东岭村",
    category: str = "neighbourhood",
    source: str = "screening",
    tier: Tier = Tier.ORDINARY,
    at: datetime | None = None,
    code: str = "SHZ",
    parties: Sequence[case_db.PartyInput] = (case_db.PartyInput("王五", "13900001111"),),
) -> case_db.CaseSummary:
    """Register directly through the data layer (statistics set-up)."""
    async with world.svc.transaction() as session:
        township = await member_db.township_by_code(session, code)
        actor = await member_db.actor_for(session, user_id)
        villages = {v.name: v.id for v in await member_db.villages_of(session, township.id)}
        return await case_db.create_case(
            session,
            township=township,
            data=case_db.NewCase(
                village_id=villages[village],
                category=category,
                source=source,
                tier=tier,
                description="测试案件",
                people_count=2,
                amount=None,
                parties=list(parties),
            ),
            actor=domain_actor(actor, township.id),
            at=(at or world.clock.now()).astimezone(SHANGHAI),
            config=case_db.case_config(world.settings),
        )


async def db_act(
    world: Any,
    case: case_db.CaseSummary,
    user_id: int,
    action: Action,
    payload: ActionPayload | None = None,
    at: datetime | None = None,
) -> case_db.CaseSummary:
    async with world.svc.transaction() as session:
        actor = await member_db.actor_for(session, user_id)
        return await case_db.act(
            session,
            case_id=case.id,
            action=action,
            payload=payload,
            actor=domain_actor(actor, case.state.township_id),
            at=(at or world.clock.now()).astimezone(SHANGHAI),
            config=case_db.case_config(world.settings),
        )

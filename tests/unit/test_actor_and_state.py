"""Who is acting and where they are in a flow, read in one statement at the start of every
update (`bot.core.turn.actor_and_state`): the same answers as reading the member with their
roles and the flow state one after the other."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.config import parse_settings
from bot.core.db import members as member_db
from bot.core.db.engine import session_factory
from bot.core.models import ConversationState, Member, MemberRole, Role, Township
from bot.core.turn import actor_and_state, read_state
from devkit.sample import sample_config

NOW = datetime(2026, 11, 18, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
STRANGER, REGISTERING, NO_ROLES, CADRE = 50_000_001, 50_000_002, 50_000_003, 50_000_004


async def test_one_statement_reads_what_two_did(engine, database_url) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        settings = parse_settings(
            sample_config("7000000002:ACTOR", "http://127.0.0.1:9", database_url), "t"
        )
        await member_db.sync_townships(session, settings)
        townships = list(await session.scalars(select(Township.id).order_by(Township.id)))
        for user_id in (NO_ROLES, CADRE):
            session.add(
                Member(
                    telegram_user_id=user_id,
                    display_name=f"m{user_id}",
                    language="zh_CN",
                    active=True,
                    unreachable=user_id == CADRE,
                    created_at=NOW,
                )
            )
        await session.flush()
        cadre = await session.scalar(select(Member.id).where(Member.telegram_user_id == CADRE))
        session.add_all(
            [
                MemberRole(member_id=cadre, township_id=townships[0], role=Role.CADRE),
                MemberRole(member_id=cadre, township_id=townships[-1], role=Role.MEDIATOR),
            ]
        )
        for user_id, flow in ((REGISTERING, "register"), (CADRE, "visit")):
            session.add(
                ConversationState(
                    telegram_user_id=user_id,
                    flow=flow,
                    step="card",
                    data={"n": user_id},
                    version=3,
                    updated_at=NOW,
                )
            )
    seen = {}
    async with sessions() as session, session.begin():
        for user_id in (STRANGER, REGISTERING, NO_ROLES, CADRE):
            one = await actor_and_state(session, user_id)
            two = (
                await member_db.actor_for(session, user_id),
                await read_state(session, user_id),
            )
            assert one == two, user_id
            seen[user_id] = one
    assert seen[STRANGER] == (None, None)
    assert seen[REGISTERING][0] is None and seen[REGISTERING][1].flow == "register"
    no_roles = seen[NO_ROLES][0]
    assert no_roles is not None and no_roles.grants == frozenset() and seen[NO_ROLES][1] is None
    actor, state = seen[CADRE]
    assert actor is not None and actor.unreachable and actor.name == f"m{CADRE}"
    assert actor.grants == {(townships[0], Role.CADRE), (townships[-1], Role.MEDIATOR)}
    assert state is not None
    assert (state.flow, state.version, state.data) == ("visit", 3, {"n": CADRE})

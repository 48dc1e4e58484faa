"""Invitation tokens: unguessable, stored only as a hash, looked up by hash, and a deep link
never gives more than its one role (tests/e2e/test_registration.py covers single use,
expiry, forged tokens and races)."""

from __future__ import annotations

import base64
import re
from collections import Counter

from sqlalchemy import String, select, update

from bot.core.models import Invite, Member, MemberRole, metadata
from bot.members import queries as member_queries
from devkit.sample import SamplePerson, seed_people
from tests.e2e.helpers import ask1, make_invite, press, zh
from tests.e2e.reliability import PatientUser, record_counts

URLSAFE = re.compile(r"^[A-Za-z0-9_-]{32}$")
FORMER_SECRETARY = SamplePerson(4300, "前任书记", ("secretary", "cadre"), ("东岭村",))


async def test_tokens_are_unguessable_and_stored_only_as_a_hash(world) -> None:
    tokens = [await make_invite(world, "cadre") for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        # 32 URL-safe characters = 24 random bytes (secrets.token_urlsafe): 192 bits.
        assert URLSAFE.match(token), token
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == 24
    # Not a counter or a timestamp: the characters are spread over the whole alphabet.
    spread = Counter("".join(tokens))
    assert len(spread) == 64 and max(spread.values()) < 3 * len(tokens) * 32 / 64
    # No column of any table holds a token; the invites table holds SHA-256 hashes.
    found = 0
    async with world.svc.transaction() as session:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            for row in (await session.execute(select(*columns))).all() if columns else []:
                for value in row:
                    assert value not in tokens
                    found += 1
        hashes = set(await session.scalars(select(Invite.token_hash)))
    assert hashes == {member_queries.hash_token(t) for t in tokens}
    assert not hasattr(Invite, "token")
    record_counts("invite_tokens", {"tokens": len(tokens), "bits": 192, "db_values_checked": found})


async def test_lookup_is_by_hash_and_near_misses_find_nothing(world) -> None:
    token = await make_invite(world, "cadre")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    async with world.svc.transaction() as session:
        assert await member_queries.find_invite(session, token) is not None
        # Someone who reads the database (or a backup) cannot use what is stored there.
        assert await member_queries.find_invite(session, member_queries.hash_token(token)) is None
        for guess in (flipped, token[:-1], token + "A", token.upper(), token[:16], " " + token):
            assert await member_queries.find_invite(session, guess) is None, guess
        assert await member_queries.find_invite(session, token + "A" * 40) is None  # > 64: refused


async def test_a_deactivated_member_cannot_get_old_roles_back_with_an_invite(world) -> None:
    """A deactivated former secretary who gets hold of a cadre invite comes back as a cadre,
    not as a secretary again."""
    async with world.svc.transaction() as session:
        ids = await seed_people(session, world.clock.now(), [FORMER_SECRETARY])
        await session.execute(
            update(Member)
            .where(Member.id == ids[FORMER_SECRETARY.telegram_user_id])
            .values(active=False)
        )
    world.emu.add_user(FORMER_SECRETARY.telegram_user_id, FORMER_SECRETARY.name)
    token = await make_invite(world, "cadre")
    card = await ask1(world, FORMER_SECRETARY.telegram_user_id, f"/start {token}")
    await press(world, FORMER_SECRETARY.telegram_user_id, card, zh("✅ Confirm"))
    async with world.svc.transaction() as session:
        member = await session.get(Member, ids[FORMER_SECRETARY.telegram_user_id])
        roles = set(
            await session.scalars(select(MemberRole.role).where(MemberRole.member_id == member.id))
        )
    assert member.active and roles == {"cadre"}
    refused = zh("Sorry, this is only for: {roles}.").split("{")[0]
    user = PatientUser(world, FORMER_SECRETARY.telegram_user_id, wait=10)
    got = await user.say("/members", lambda m: m.text.startswith(refused))
    assert got.message is not None

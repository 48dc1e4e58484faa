"""Registration by invitation, on both channels: the secretary invites, the newcomer opens the
link, confirms, and is a cadre; the secretary hears of it at once."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import Member, MemberRole
from tests.e2e.helpers import SECRETARY, zh
from tests.scenarios.channels import Channel, ask1


async def test_a_newcomer_registers_from_an_invitation(channel: Channel) -> None:
    sec = SECRETARY.telegram_user_id
    link = await ask1(channel, sec, "/invite cadre")
    newcomer, card = await channel.open_invitation(link.text, "吴小平")
    assert "沙河子镇" in card.text and zh("cadre") in card.text and "吴小平" in card.text
    assert card.labels == [zh("✅ Confirm"), zh("✏️ Change name")]

    done = await channel.press(newcomer, card, zh("✅ Confirm"))
    assert done.text == zh("Welcome, {name}! You are registered.").format(name="吴小平")
    [help_text] = await channel.replies(newcomer)
    assert "/help" in help_text.text and "/members" not in help_text.text
    [told] = await channel.replies(sec)
    assert "吴小平" in told.text

    async with channel.svc.transaction() as session:
        member = await session.scalar(select(Member).where(Member.telegram_user_id == newcomer))
        assert member is not None and member.display_name == "吴小平"
        roles = await session.scalars(
            select(MemberRole.role).where(MemberRole.member_id == member.id)
        )
        assert list(roles) == ["cadre"]

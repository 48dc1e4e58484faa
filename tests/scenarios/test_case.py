"""A dispute case on both channels: the mediator registers it with buttons, mediates, records
the agreement and the follow-up visit (回访); the parties are seen only by those who may (the
mediator and the secretary, phones masked), never by another cadre or in the group."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.cases_helpers import NUMBER
from tests.e2e.helpers import CADRE_LI, MEDIATOR_ZHOU, SECRETARY, zh
from tests.e2e.test_cases_privacy import not_found
from tests.scenarios.channels import Channel, Said, ask1

ZHOU = MEDIATOR_ZHOU.telegram_user_id
LI = CADRE_LI.telegram_user_id
PHONE = "13912345678"
MASKED = "139****5678"
PRIVATE = zh(
    "For privacy, dispute cases are handled only in a private chat with me. "
    "Please write to me directly."
)


async def register(channel: Channel, user_id: int) -> Said:
    card = await ask1(channel, user_id, "/case new")
    for label in ("东岭村", "邻里纠纷", "排查发现"):
        card = await channel.press(user_id, card, label)
    card = await ask1(channel, user_id, f"张三 {PHONE}\n李四")
    card = await channel.press(user_id, card, zh("✔️ Done"))
    await ask1(channel, user_id, "宅基地边界争议，双方多次争吵")
    await ask1(channel, user_id, "3")
    card = await ask1(channel, user_id, "1.2万")
    tier = next(label for label in card.labels if label.startswith("一般"))
    card = await channel.press(user_id, card, tier)
    return await channel.press(user_id, card, zh("✅ Save"))


def number_in(card: Said) -> str:
    found = NUMBER.search(card.text)
    assert found is not None, card.text
    return found.group(0)


async def test_a_case_from_registration_to_the_follow_up_visit(channel: Channel) -> None:
    card = await register(channel, ZHOU)
    number = number_in(card)
    assert f"张三（{MASKED}）" in card.text and PHONE not in card.text

    card = await channel.press(ZHOU, card, zh("🤝 Start mediation"))
    assert zh("✅ Mediation started.") in card.text
    channel.clock.advance(timedelta(days=2))
    prompt = await channel.press(ZHOU, card, zh("✅ Agreement reached"))
    await channel.press(ZHOU, prompt, zh("Written (书面)"))
    await ask1(channel, ZHOU, "双方同意以现有围墙为界，李四赔偿损失")
    await ask1(channel, ZHOU, "5000")
    card = await ask1(channel, ZHOU, "2000元")
    assert zh("✅ Agreement recorded. Record the follow-up visit (回访) to close the case.") in (
        card.text
    )
    channel.clock.advance(timedelta(days=7))
    await channel.press(ZHOU, card, zh("📞 Record follow-up visit (回访)"))
    card = await ask1(channel, ZHOU, "回访：双方履行协议，关系和睦")
    assert zh("✅ Follow-up visit recorded; the case is closed.") in card.text

    # Who sees the parties: the secretary (masked), not a cadre who did not register it.
    seen = await ask1(channel, SECRETARY.telegram_user_id, f"/case {number}")
    assert f"张三（{MASKED}）、李四" in seen.text and PHONE not in seen.text
    refused = await ask1(channel, LI, f"/case {number}")
    assert refused.text == not_found(number)
    listing = await ask1(channel, LI, "/cases")
    assert number not in listing.text
    # Nothing of the case in the township's group, and no phone number anywhere.
    reply = await channel.ask_in_group(ZHOU, f"/case {number}")
    assert reply.text == PRIVATE
    group = await channel.texts(await channel.group_id(), reader=ZHOU)
    assert not any("张三" in t or "5678" in t for t in group)
    for person in (ZHOU, SECRETARY.telegram_user_id, LI):
        assert not any(PHONE in t for t in await channel.texts(person))

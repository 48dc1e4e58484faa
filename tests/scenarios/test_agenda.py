"""The Monday agenda on both channels: the secretary asks for it (needs by village from the
reports), a cadre may not; on Monday 08:00 it reaches the secretary and the township's group,
the group's copy without the red/black preview."""

from __future__ import annotations

from devkit.sample.week import seed_week
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, SECRETARY, zh
from tests.scenarios.channels import Channel, ask1

SEC = SECRETARY.telegram_user_id
TITLE = zh("Monday meeting agenda (周一例会)")


async def test_the_monday_agenda_asked_for_and_posted_to_the_group(channel: Channel) -> None:
    async with channel.svc.transaction() as session:
        await seed_week(session, channel.settings, channel.clock.now(), channel.member_ids)
    await channel.read_all(SEC)
    agenda = (await ask1(channel, SEC, "/agenda")).text
    assert "会议日期：11月23日（周一）" in agenda
    needs = agenda.split("二、周报中反映的问题与需求")[1].split("三、")[0]
    assert "东岭村" in needs and "村道需要硬化" in needs
    refused = await ask1(channel, CADRE_LI.telegram_user_id, "/agenda")
    assert refused.text.startswith("抱歉，此功能仅限")

    group = await channel.group_id()
    assert not any(TITLE in t for t in await channel.texts(group, reader=SEC))
    await channel.scheduler.travel(at(30, 8))  # the next Monday, 08:00
    [mine] = [t for t in await channel.texts(SEC) if TITLE in t and "11月30日" in t]
    assert "会议日期：11月30日（周一）" in mine and "11月23日–29日" in mine
    assert "五、红黑榜" in mine  # the secretary's copy carries the preview
    posted = [t for t in await channel.texts(group, reader=CADRE_LI.telegram_user_id) if TITLE in t]
    assert len(posted) == 1 and "11月23日–29日" in posted[0]
    assert "红黑榜" not in posted[0]  # names go public only when a list is published

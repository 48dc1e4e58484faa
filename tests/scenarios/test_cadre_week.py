"""A cadre's week on both channels, travelling with the injected clock: visits logged with
buttons on three days (one with the phone's position), the Friday report submitted in one
tap; the Friday reminders reach whoever has not reported, on the web through the township's
WeCom group robot (a webhook on loopback) while the page is closed, with no report data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.models import FieldVisit
from tests.e2e.cadre_helpers import at
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, SECRETARY, zh
from tests.scenarios.channels import Channel, Said, WebChannel, ask1

LI = CADRE_LI.telegram_user_id
WANG = CADRE_WANG.telegram_user_id
WANG_MOBILE = "13800138000"


async def log_visit(
    channel: Channel, user_id: int, village: str, activity: str, where: tuple[float, float] | None
) -> Said:
    card = await channel.press(user_id, await ask1(channel, user_id, "/visit"), village)
    assert village in card.text
    card = await channel.press(user_id, card, f"⬜ {activity}")
    if where is not None:
        card = await channel.share_location(user_id, *where)
        assert zh("📍 Location received.") in card.text
    return await channel.press(user_id, card, zh("✅ Save"))


async def test_a_cadres_week_from_the_first_visit_to_the_friday_report(channel: Channel) -> None:
    await channel.scheduler.tick()  # Monday 23 November, 09:00
    if isinstance(channel, WebChannel):
        await channel.give_mobile(WANG, WANG_MOBILE)
    days = (
        (at(23, 10), "东岭村", "听取民意", (33.8795, 110.0110)),
        (at(24, 16), "沙河子村", "政策宣传", None),
        (at(25, 11), "东岭村", "帮办实事", None),
    )
    for moment, village, activity, where in days:
        await channel.scheduler.travel(moment)
        await channel.read_all(LI)
        saved = await log_visit(channel, LI, village, activity, where)
        assert zh("✅ Visit logged.") in saved.text
        assert saved.labels == [zh("✏️ Edit"), zh("🗑 Delete"), zh("📋 This week's logs")]
    async with channel.svc.transaction() as session:
        visits = list(
            await session.scalars(
                select(FieldVisit)
                .where(FieldVisit.member_id == channel.member_ids[LI])
                .order_by(FieldVisit.visit_date)
            )
        )
    assert [v.visit_date for v in visits] == [date(2026, 11, d) for d in (23, 24, 25)]
    assert visits[0].location_checked is True and visits[1].location_checked is not True
    me = await ask1(channel, LI, "/me")
    assert zh("Field days: {done} of {required}").format(done=3, required=3) in me.text

    await channel.scheduler.travel(at(26, 12))  # Thursday 12:00: the window opens
    opened = zh("Weekly report (周五交账)")
    for person in (LI, WANG):
        assert sum(opened in t for t in await channel.texts(person)) == 1

    await channel.scheduler.travel(at(27, 14))  # Friday 14:00: 李春华 reports, 王建军 reads
    await channel.read_all(LI)
    preview = await ask1(channel, LI, "/report")
    assert "东岭村" in preview.text and "沙河子村" in preview.text
    submitted = await channel.press(LI, preview, zh("✅ Submit"))
    assert "✅ 报告已按时提交" in submitted.text
    await channel.read_all(WANG)
    if isinstance(channel, WebChannel):
        before = await channel.nudges_of(WANG)  # Thursday's at least: the page was closed
        assert before and all(n.status == "sent" for n in before)
        told = len(channel.robot.received) if channel.robot else 0

    await channel.scheduler.travel(at(27, 15))  # Friday 15:00: the last call
    last_call = [t for t in await channel.texts(WANG) if "还未提交" in t]
    assert len(last_call) == 1
    assert not any("还未提交" in t for t in await channel.texts(LI))
    if isinstance(channel, WebChannel):
        assert channel.robot is not None
        after = await channel.nudges_of(WANG)
        assert len(after) == len(before) + 1 and after[-1].status == "sent"
        [friday] = [
            m["text"]
            for m in channel.robot.received[told:]
            if m["text"]["mentioned_mobile_list"] == [WANG_MOBILE]
        ]
        assert channel.web.server.web.channel.public_url in friday["content"]
        assert "还未提交" not in friday["content"] and "周报" not in friday["content"]

    await channel.scheduler.travel(at(27, 19))  # Friday 18:00: the secretary's summary
    summary = next(
        t
        for t in await channel.texts(SECRETARY.telegram_user_id)
        if zh("Weekly reports at the deadline") in t
    )
    assert f"按时提交：{CADRE_LI.name}" in summary

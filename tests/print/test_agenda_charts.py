"""The Monday agenda and the monthly summary carry their charts as a photo, through the
outbox (sendPhoto), to the secretaries only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.core.models import OutboxMessage
from devkit.sample import GROUP_CHAT_ID
from devkit.sample.week import seed_week
from tests.conftest import SHANGHAI
from tests.e2e.helpers import CADRE_LI, SECRETARY, zh
from tests.print.test_charts import ink


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def photos(world, chat_id: int) -> list:
    return [
        m
        for m in world.emu.chat(chat_id).messages
        if m.from_bot and m.file is not None and m.file.kind == "photo"
    ]


async def test_the_secretary_gets_the_agenda_then_its_charts_and_the_group_no_photo(world) -> None:
    async with world.svc.transaction() as session:
        await seed_week(session, world.settings, world.clock.now(), world.member_ids)
    await world.scheduler.travel(at(11, 30, 8))  # Monday 08:00: the agenda of 23–29 November
    chat = [m for m in world.emu.chat(SECRETARY.telegram_user_id).messages if m.from_bot]
    agenda = next(
        i for i, m in enumerate(chat) if zh("Monday meeting agenda (周一例会)") in (m.text or "")
    )
    [photo] = photos(world, SECRETARY.telegram_user_id)
    assert chat.index(photo) == agenda + 1  # right after the agenda's text
    assert photo.text == zh(
        "In charts: field days per cadre against the quota, disputes, the last weeks."
    )
    size, share = ink(photo.file.data)
    assert size[0] == 1080 and share > 0.02
    assert (photo.file.width, photo.file.height) == size
    # Nothing drawn for the group, nor for a cadre.
    assert any(
        zh("Monday meeting agenda (周一例会)") in (m.text or "")
        for m in world.emu.chat(GROUP_CHAT_ID).messages
    )
    assert photos(world, GROUP_CHAT_ID) == [] and photos(world, CADRE_LI.telegram_user_id) == []
    # The other sample township's secretary gets charts too: the rows are read per chat.
    charts = (OutboxMessage.job == "monday_agenda", OutboxMessage.attachment_kind == "photo")
    async with world.svc.transaction() as session:
        mine = list(
            await session.scalars(
                select(OutboxMessage)
                .where(*charts, OutboxMessage.chat_id == SECRETARY.telegram_user_id)
                .order_by(OutboxMessage.id)
            )
        )
        chats = set(await session.scalars(select(OutboxMessage.chat_id).where(*charts)))
    assert [row.status for row in mine] == ["sent"]
    assert GROUP_CHAT_ID not in chats and CADRE_LI.telegram_user_id not in chats


async def test_the_monthly_summary_carries_the_month_s_charts(world) -> None:
    async with world.svc.transaction() as session:
        await seed_week(session, world.settings, world.clock.now(), world.member_ids)
    await world.scheduler.travel(at(12, 1, 9))  # first workday of December: November's summary
    chat = [m for m in world.emu.chat(SECRETARY.telegram_user_id).messages if m.from_bot]
    summary = next(i for i, m in enumerate(chat) if zh("Monthly summary") in (m.text or ""))
    agenda_photo, month_photo = photos(world, SECRETARY.telegram_user_id)
    assert chat.index(month_photo) == summary + 1
    assert month_photo.file.data != agenda_photo.file.data
    size, share = ink(month_photo.file.data)
    assert size[0] == 1080 and share > 0.02

"""Photos and documents in the outbox: captions within Telegram's limit, files stored once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.models import OutboxFile, OutboxMessage
from bot.core.outbox import Attachment, Outgoing, enqueue, expand
from bot.core.text import CAPTION_LIMIT, Html
from tests.e2e.helpers import SECRETARY

PNG = Attachment("photo", b"\x89PNG fake", "chart.png")


def test_a_caption_too_long_goes_before_the_photo_as_text() -> None:
    short = Outgoing("k", "job", 1, Html("图表"), attachment=PNG, reply_markup={"x": 1})
    assert expand(short) == [short]
    long_text = Html("\n\n".join(f"第{i}段：" + "字" * 900 for i in range(6)))
    parts = expand(Outgoing("k", "job", 1, long_text, attachment=PNG, reply_markup={"x": 1}))
    *texts, photo = parts
    assert len(texts) >= 2 and all(p.attachment is None and not p.reply_markup for p in texts)
    assert photo.attachment == PNG and photo.text == "" and photo.reply_markup == {"x": 1}
    assert len({p.key for p in parts}) == len(parts)
    assert all(len(p.text) <= 4096 for p in texts) and len(photo.text) <= CAPTION_LIMIT


async def test_the_same_file_to_many_is_stored_once_and_each_row_points_at_it(world) -> None:
    now = world.clock.now()
    items = [
        Outgoing(f"test:chart:{n}", "test", SECRETARY.telegram_user_id, Html("图"), attachment=PNG)
        for n in range(3)
    ]
    items.append(Outgoing("test:plain", "test", SECRETARY.telegram_user_id, Html("文字")))
    async with world.svc.transaction() as session:
        assert await enqueue(session, items, now) == 4
        assert await enqueue(session, items, now) == 0  # keys already queued
    async with world.svc.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxFile)) == 1
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.job == "test"))
        ).all()
    assert sorted((r.attachment_kind or "") for r in rows) == ["", "photo", "photo", "photo"]
    assert len({r.attachment_id for r in rows if r.attachment_kind}) == 1

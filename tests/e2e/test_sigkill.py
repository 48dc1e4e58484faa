"""SIGKILL of a real `township-bot run` process in the middle of conversations and of a
fan-out, then a restart: drafts and confirmed data are intact and every outbox message is
delivered exactly once.

The kill comes *between* two sends: the emulator holds the next sendMessage unperformed
("stall") and the process dies while waiting for it, so that message never reached
Telegram. (A message that did reach Telegram but whose success was not yet recorded is sent
again after a restart: at least once, never lost; docs/reliability.md.)"""

from __future__ import annotations

import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.db.engine import session_factory
from bot.core.models import FieldVisit, OutboxMessage, WeeklyReport
from bot.core.outbox import Outgoing, enqueue
from devkit.sample import PEOPLE, VILLAGES
from tests import processes
from tests.e2e.helpers import CADRE_LI, CADRE_WANG, CADRE_ZHAO, zh
from tests.e2e.reliability import PatientUser, labels, record_counts
from tests.processes import free_port, start_instance, stop, wait_health

NOTICE = "【测试通知】"
PER_PERSON = 4
KILL_AFTER = 9  # fan-out messages delivered before the kill


def write_config(path: Path, api: str, database_url: str, health_port: int) -> Path:
    villages = "".join(f'  [[townships.villages]]\n  name = "{v["name"]}"\n' for v in VILLAGES)
    return processes.write_config(
        path,
        database_url,
        api=api,
        health_port=health_port,
        tick_seconds=1,
        scheduler="send_batch = 1",
        townships=f"""[[townships]]
code = "SHZ"
name = "沙河子镇"
{villages}
[[townships]]
code = "DJH"
name = "大荆镇"
  [[townships.villages]]
  name = "西河村"
""",
    )


def notices(emulator) -> Counter[str]:
    return Counter(
        m.text
        for p in PEOPLE
        for m in emulator.chat(p.telegram_user_id).messages
        if m.text and m.text.startswith(NOTICE)
    )


@pytest.mark.e2e
async def test_sigkill_mid_conversation_and_mid_fan_out(
    emulator, engine, database_url, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    ids = await processes.seed(emulator, engine, database_url, PEOPLE)
    port = free_port()
    config = tmp_path / "bot.toml"
    write_config(config, emulator.base_url.removesuffix("/bot"), database_url, port)
    proc = await start_instance(config, tmp_path / "first.log")
    procs = [proc]
    try:
        await wait_health(port, "active")
        li, wang, zhao = (
            PatientUser(emulator_world(emulator), p.telegram_user_id, wait=20)
            for p in (CADRE_LI, CADRE_WANG, CADRE_ZHAO)
        )
        # 赵秀兰 logs a whole visit (confirmed) ...
        card = await visit_card(zhao, "河口村")
        saved = await zhao.press(card, zh("✅ Save"), lambda m: zh("✅ Visit logged.") in m.text)
        assert saved.kind == "edit"
        # ... 李春华 is half-way through one, with a problem typed in ...
        card = await visit_card(li, "东岭村")
        back = zh("◀️ Back")
        assert (await li.press(card, zh("➕ Problem solved"), lambda m: back in labels(m))).message
        problem = "修好了村口的路灯"
        got = await li.say(problem, lambda m: problem in m.text)
        assert got.message is not None
        # ... and 王建军 has written part of his report.
        got = await wang.say("/report", lambda m: "✏️ 问题与需求" in labels(m))
        got = await wang.press(got.message, "✏️ 问题与需求", lambda m: "问题与需求" in m.text)
        need = "村道需要硬化，缺少路灯"
        got = await wang.say(need, lambda m: "问题与需求" in m.text and "/1000" in m.text)
        assert got.message is not None

        # A fan-out: one notice per person and part, as a job queues them.
        items = [
            Outgoing(
                key=f"kill-test:{p.telegram_user_id}:{i}",
                job="kill_test",
                chat_id=p.telegram_user_id,
                text=f"{NOTICE} {p.name} {i}/{PER_PERSON}",
            )
            for i in range(1, PER_PERSON + 1)
            for p in PEOPLE
        ]
        async with sessions() as session, session.begin():
            assert await enqueue(session, items, datetime.now(UTC)) == len(items)
        bot_state = emulator.bot()
        delivered = await bot_state.events_signal.wait_for(
            lambda: sum(notices(emulator).values()) >= KILL_AFTER or None, 30
        )
        assert delivered, notices(emulator)
        # Hold the next send unperformed; kill the process while it waits for it.
        emulator.faults.inject("sendMessage", "stall", 1000)
        stalled = await bot_state.events_signal.wait_for(lambda: emulator.stats.stalled or None, 30)
        assert stalled
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        before = notices(emulator)
        async with sessions() as session:
            statuses = Counter(
                await session.scalars(
                    select(OutboxMessage.status).where(OutboxMessage.job == "kill_test")
                )
            )
        assert statuses["sending"] >= 1 and statuses["sent"] == sum(before.values())

        emulator.faults.clear()
        proc = await start_instance(config, tmp_path / "second.log")
        procs.append(proc)
        await wait_health(port, "active")
        done = await bot_state.events_signal.wait_for(
            lambda: sum(notices(emulator).values()) >= len(items) or None, 30
        )
        assert done, notices(emulator)
        after = notices(emulator)
        assert set(after) == {i.text for i in items} and set(after.values()) == {1}

        # The half-done visit log continues where it was, problem included, and saves once.
        resumed = zh("You have an unfinished visit log; here it is.")
        got = await li.say("/visit", lambda m: resumed in m.text)
        assert got.message is not None and problem in got.message.text
        saved = await li.press(
            got.message, zh("✅ Save"), lambda m: zh("✅ Visit logged.") in m.text
        )
        assert saved.kind == "edit"
        # The report draft kept the typed text.
        got = await wang.say("/report", lambda m: need in m.text)
        assert got.message is not None
    finally:
        await stop(procs)
    async with sessions() as session:
        visits = dict(
            (
                await session.execute(
                    select(FieldVisit.member_id, func.count(FieldVisit.id)).group_by(
                        FieldVisit.member_id
                    )
                )
            ).all()
        )
        report = await session.scalar(
            select(WeeklyReport).where(WeeklyReport.member_id == ids[CADRE_WANG.telegram_user_id])
        )
        statuses = Counter(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.job == "kill_test")
            )
        )
    assert visits == {
        ids[CADRE_ZHAO.telegram_user_id]: 1,
        ids[CADRE_LI.telegram_user_id]: 1,
    }
    assert need in report.draft["问题与需求"]
    assert statuses == {"sent": len(items)}
    processes.assert_no_secrets(processes.logs(tmp_path / "first.log", tmp_path / "second.log"))
    record_counts(
        "sigkill",
        {
            "fan_out_messages": len(items),
            "delivered_before_kill": sum(before.values()),
            "delivered_after_restart": len(items) - sum(before.values()),
            "duplicates": 0,
            "lost": 0,
            "drafts_checked": 2,
            "confirmed_visits_checked": 2,
        },
    )


class emulator_world:
    def __init__(self, emulator) -> None:
        self.emu = emulator

    def user(self, user_id: int):
        return self.emu.user(user_id)


async def visit_card(user: PatientUser, village: str):
    def is_card(m) -> bool:
        return any(label.endswith("听取民意") for label in labels(m))

    got = await user.say("/visit", lambda m: village in labels(m))
    assert got.message is not None
    got = await user.press(got.message, village, is_card)
    assert got.message is not None
    got = await user.press(got.message, "⬜ 听取民意", lambda m: "☑️ 听取民意" in labels(m))
    assert got.message is not None
    return got.message

"""The database work of one visit log (four taps), counted with SQLAlchemy's events: the
figures behind docs/benchmarks.md (database work per tap), one transaction per tap, no round
trip spent pinging connections before use, and no connection held while Telegram answers."""

from __future__ import annotations

from tests.e2e.dbwork import counting
from tests.e2e.helpers import CADRE_LI, ask1, press, zh
from tests.e2e.reliability import record_counts


async def test_database_work_of_a_visit_log(world, database_url, monkeypatch) -> None:
    user = CADRE_LI.telegram_user_id
    pool = world.svc.engine.sync_engine.pool
    held: dict[str, int] = {}  # Bot API method -> connections checked out when it arrived
    dispatch = world.emu.dispatch

    async def watched(token, method, *args, **kwargs):
        if method.lower() != "getupdates":
            held[method] = max(held.get(method, 0), pool.checkedout())
        return await dispatch(token, method, *args, **kwargs)

    monkeypatch.setattr(world.emu, "dispatch", watched)
    activity = world.settings.visits.activities[0]
    assert "/visit" in (await ask1(world, user, "/help")).text  # connections made, caches warm
    taps = {}
    with counting(world.svc.engine) as total:
        with counting(world.svc.engine) as work:
            picker = await ask1(world, user, "/visit")
            await work.idle()
        taps["visit"] = work.as_dict()
        with counting(world.svc.engine) as work:
            card = await press(world, user, picker, picker.buttons[0][0][0])
            await work.idle()
        taps["village"] = work.as_dict()
        with counting(world.svc.engine) as work:
            card = await press(world, user, card, f"⬜ {activity}")
            await work.idle()
        taps["activity"] = work.as_dict()
        with counting(world.svc.engine) as work:
            saved = await press(world, user, card, zh("✅ Save"))
            await work.idle()
        taps["save"] = work.as_dict()
    assert zh("✅ Visit logged.") in saved.text
    record_counts(
        "database_work_per_visit",
        {"database": database_url.split(":")[0], "taps": taps, "visit": total.as_dict()},
    )
    # Every transaction the taps began has ended, and none paid a ping first.
    assert total.ended >= total.transactions and total.checkins >= total.checkouts
    assert total.pings == 0 and total.statements > 0
    # Each tap's work in one transaction, committed before the bot called the Bot API.
    assert all(tap["transactions"] == 1 for tap in taps.values()), taps
    # A tap reads who is acting and their flow in one statement (/visit's state was read by
    # the step before any command) and writes the flow's step in one; /visit also looks for a
    # log set aside and reads the villages the cadre is assigned; Save ends the flow, stores
    # the log and its audit entry, and reads the log back with the week's figures (the
    # visits, the leave, the reports), the member's name coming from the actor.
    statements = {name: tap["statements"] for name, tap in taps.items()}
    assert statements == {"visit": 5, "village": 2, "activity": 2, "save": 8}, statements
    assert {"sendMessage", "editMessageText"} <= set(held) and set(held.values()) == {0}, held

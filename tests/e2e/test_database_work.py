"""The database work of one visit log (four taps), counted with SQLAlchemy's events: the
figures behind docs/benchmarks.md (database work per tap), and no round trip spent pinging
connections before use."""

from __future__ import annotations

from tests.e2e.dbwork import counting
from tests.e2e.helpers import CADRE_LI, ask1, press, zh
from tests.e2e.reliability import record_counts


async def test_database_work_of_a_visit_log(world, database_url) -> None:
    user = CADRE_LI.telegram_user_id
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

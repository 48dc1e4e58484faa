"""Feature handlers, one module each. Order matters: the router's catch-alls come last."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import (
    agenda,
    arena,
    cases,
    errors,
    help,
    lang,
    leave,
    me,
    members,
    redblack,
    report,
    router,
    start,
    visit,
)

FEATURES = [start, help, lang, members, visit, me, report, leave, cases, redblack, arena, agenda]


def register_all(app: Application) -> None:
    for feature in FEATURES:
        feature.register(app)
    router.register(app)
    errors.register(app)

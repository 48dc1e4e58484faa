"""The bot's features, each a package under `bot/`. Order matters: the router's catch-alls come
last."""

from __future__ import annotations

from bot.agenda import handlers as agenda
from bot.arena import handlers as arena
from bot.calendar import handlers as calendar
from bot.cases import handlers as cases
from bot.core import errors, gates, keys, router, townships
from bot.core.turn import App
from bot.leave import handlers as leave
from bot.lists import handlers as lists
from bot.me import handlers as me
from bot.members import handlers as members
from bot.members import help, lang
from bot.members import registration as start
from bot.reports import handlers as reports
from bot.visits import handlers as visits

FEATURES = [
    start,
    help,
    lang,
    townships,
    members,
    visits,
    me,
    reports,
    leave,
    cases,
    lists,
    arena,
    agenda,
    calendar,
]


def register_all(app: App) -> None:
    gates.register(app)
    keys.register(app)
    for feature in FEATURES:
        feature.register(app)
    router.register(app)
    errors.register(app)

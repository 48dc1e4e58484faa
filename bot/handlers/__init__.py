"""Feature handlers, one module each. Order matters: the router's catch-alls come last."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import arena, errors, help, lang, members, redblack, router, start

FEATURES = [start, help, lang, members, redblack, arena]


def register_all(app: Application) -> None:
    for feature in FEATURES:
        feature.register(app)
    router.register(app)
    errors.register(app)

"""Production entry: long polling by default, webhook when configured."""

from __future__ import annotations

from telegram import Update

from bot.app import build_application
from bot.config import Settings


def run_forever(settings: Settings) -> None:
    app = build_application(settings)
    tg = settings.telegram
    if tg.mode == "webhook":
        hook = tg.webhook
        app.run_webhook(
            listen=hook.listen,
            port=hook.port,
            url_path=hook.url_path,
            webhook_url=f"{hook.public_url.rstrip('/')}/{hook.url_path}"
            if hook.public_url
            else None,
            secret_token=hook.secret_token or None,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)

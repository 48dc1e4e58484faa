"""`[channel] kind = "web"`: the bot's Bot API is the township's own server, in the same
process (`bot.runner` starts it before the bot first calls getMe)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db.engine import create_engine, session_factory
from bot.core.db.migrate import upgrade
from bot.web.server import WebServer


def on_web_channel(settings: Settings) -> Settings:
    """With the web channel, the bot calls the server on loopback, with no proxy; in webhook
    mode the server posts to the bot's webhook on loopback unless a public address is set."""
    if not settings.channel.web:
        return settings
    local = f"http://127.0.0.1:{settings.channel.port}"
    hook = settings.telegram.webhook
    if settings.telegram.mode == "webhook" and not hook.public_url:
        hook = hook.model_copy(update={"public_url": f"http://127.0.0.1:{hook.port}"})
    telegram = settings.telegram.model_copy(
        update={"api_base_url": local, "proxy": None, "webhook": hook}
    )
    return settings.model_copy(update={"telegram": telegram})


class WebChannel:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.engine: AsyncEngine = create_engine(
            settings.database.url,
            sqlite_busy_timeout=settings.database.sqlite_busy_timeout_seconds,
        )
        sessions = session_factory(self.engine)
        self.server = WebServer(settings.channel, settings.telegram.token, sessions.begin, clock)

    async def start(self) -> None:
        await upgrade(self.engine)
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()
        await self.engine.dispose()

"""The page's side of Web Push: the deployment's public key, and the subscription of the
signed-in device (CSRF-protected like every change)."""

from __future__ import annotations

from typing import Any

from bot.web import push
from bot.web.chat import Member


class PushSubscription(Member):
    async def get(self) -> None:
        if not push.available():
            self.send_json(200, {"available": False, "key": None, "subscribed": False})
            return
        async with self.web.transaction() as session:
            keys = await push.vapid_keys(session, self.web.clock.now())
            key = keys.public_key
            subscribed = await push.subscribed(session, self.signed.session_id)
        self.send_json(200, {"available": True, "key": key, "subscribed": subscribed})

    async def post(self) -> None:
        if not push.available():
            self.send_json(404, {"ok": False, "error": "unavailable"})
            return
        sub = push.parse_subscription(self.body(), self.web.channel.push_services)
        if sub is None:
            self.send_json(400, {"ok": False, "error": "subscription"})
            return
        async with self.web.transaction() as session:
            bound = await push.subscribe(
                session, self.signed.user.id, self.signed.session_id, sub, self.web.clock.now()
            )
        if not bound:
            self.send_json(409, {"ok": False, "error": "endpoint_taken"})
            return
        self.send_json(200, {"ok": True})

    async def delete(self) -> None:
        async with self.web.transaction() as session:
            await push.unsubscribe(session, self.signed.session_id)
        self.send_json(200, {"ok": True})


def routes(args: dict[str, Any]) -> list[Any]:
    return [(r"/api/push", PushSubscription, args)]

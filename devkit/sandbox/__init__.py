"""The sandbox: try the whole bot in a browser, without Telegram.

`township-bot demo` runs the real bot against the built-in Telegram emulator with the sample
township (沙河子镇, invented people) and serves, on loopback from the same process, the web
chat's own page (``bot/web/static``) in demo mode: ``demo.js`` adds the demo bar (act as
anyone, move the clock, start afresh). The page shows whatever the bot sends, so a new
feature appears there without sandbox changes.

Pieces
    ``runtime.Sandbox``: emulator + running bot + seeded SQLite database + ``ManualClock``;
    acts as a person (``send_text``, ``press``, ``share_location``, ``send_photo``), moves
    the clock (``move_clock``), rebuilds everything (``reset``) and snapshots it (``state``).
    ``server.SandboxServer``: the page, the sandbox's JSON API (below) and
    ``webchat``: the web chat's API (``/api/me``, ``/api/chats/ID/messages|press|location|
    files``, ``/api/answers/ID``, ``/api/files/ID``, as in ``bot.web.chat``) answered as the
    person the ``demo_person`` cookie names, plus ``GET /api/demo`` (people, clock, places)
    and ``POST /api/demo/act {person}``; changes need ``X-CSRF-Token: demo``.

JSON API (loopback only; POST bodies are ``application/json``)
    ``GET  /api/state``                          everything the page shows (see ``Sandbox.state``)
    ``GET  /api/events?after=CURSOR&timeout=25`` long poll: the state once ``cursor > after``
    ``POST /api/send     {user, text, chat?}``   a text (or /command) in the private chat, or
                                                 in the group when ``chat`` is the group's id
    ``POST /api/press    {user, chat, message_id, data}``  an inline button (its callback_data)
    ``POST /api/location {user, village} | {user, lat, lon}``  share a point
    ``POST /api/photo    {user, caption?}``      a small generated PNG
    ``POST /api/clock    {action}``              "deadline" | "meeting" | "hour" | "day"
    ``POST /api/reset    {}``                    fresh database, history and clock
    ``GET  /files/FILE_ID[?download=1]``         a stored document or photo
    Actions answer ``{"ok": true, "result": ..., "cursor": N}`` or 400 ``{"ok": false, "error"}``.

Clock
    The sandbox clock stands still until a clock button moves it (forward only). After a move
    it awaits the scheduler's hook, ``app.bot_data["on_clock_moved"](previous, now)``; the
    contract is documented in `bot.core.clock` (``CLOCK_MOVED_HOOK``, ``notify_clock_moved``).
"""

from devkit.sandbox.runtime import Sandbox, SandboxError, generated_photo
from devkit.sandbox.server import SandboxServer

__all__ = ["Sandbox", "SandboxError", "SandboxServer", "generated_photo"]

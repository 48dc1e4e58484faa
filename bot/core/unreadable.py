"""Updates python-telegram-bot cannot read: a Bot API server of another version sends a field
the library requires missing, or with another type.

The library would fail the whole getUpdates answer and ask for the same updates again, for
ever (nobody's message handled any more), or answer a webhook POST with 400, which Telegram
sends again, for ever; and its log line would carry the updates' contents. Instead such an
update becomes an `UnreadableUpdate`: its id (so the offset moves past it), what little the
bot needs to answer its sender (`Unreadable`), logged by its id, kind and error type only.
`bot.core.gates.unreadable_gate` answers it.

Reading costs nothing extra when every update can be read, which is nearly always:
`UpdatesBot.get_updates` lets the library read the answer as usual, and only when that fails
reads its updates one by one (`read_update`), from the answer the getUpdates client kept
(`bot.core.telegram_request.ReadableUpdates`). Webhook POSTs are read by `read_update`
directly (`bot.core.ingress`), and so are the updates the instances share (`bot.core.inbound`).
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.core.telegram_request import ReadableUpdates, Unsupported

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]

# Kinds whose sender may be answered in a private chat.
_MESSAGES = ("message", "edited_message")


@dataclass(frozen=True)
class Unreadable:
    """What the bot knows of an update it cannot read; nothing of what it says."""

    update_id: int
    kinds: tuple[str, ...]
    error: str
    # Who sent it (a message's, an edit's or a press's sender; else None): their updates
    # keep their order.
    user_id: int | None = None
    # Whether it is the sender's, in their private chat with the bot: only then are they told.
    private: bool = False
    # The pressed button's query, for a press.
    callback_query_id: str | None = None
    raw: JSONDict = field(default_factory=dict, repr=False, compare=False)


def _int(value: object, name: str) -> int | None:
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _sender(item: JSONDict) -> tuple[int | None, bool, str | None]:
    """(the sender's id, whether in their private chat with the bot, the callback query's id),
    read from the JSON as far as it goes."""

    def private(message: object, sender: int) -> bool:
        chat = message.get("chat") if isinstance(message, dict) else None
        return (
            isinstance(chat, dict) and chat.get("type") == "private" and _int(chat, "id") == sender
        )

    def user(value: object) -> int | None:
        sender = value.get("from") if isinstance(value, dict) else None
        if not isinstance(sender, dict) or sender.get("is_bot") is True:
            return None
        return _int(sender, "id")

    for kind in _MESSAGES:
        message = item.get(kind)
        sender = user(message)
        if sender is not None:
            return sender, private(message, sender), None
    query = item.get("callback_query")
    sender = user(query)
    if isinstance(query, dict) and sender is not None:
        query_id = query.get("id")
        return (
            sender,
            private(query.get("message"), sender),
            query_id if isinstance(query_id, str) else None,
        )
    return None, False, None


class UnreadableUpdate(Update):
    """An update the library could not read: only its id, and `unreadable`."""

    __slots__ = ("unreadable",)

    def __init__(self, unreadable: Unreadable, bot: Bot | None = None) -> None:
        super().__init__(update_id=unreadable.update_id)
        with self._unfrozen():
            self.unreadable = unreadable
        if bot is not None:
            self.set_bot(bot)

    def to_dict(self, recursive: bool = True) -> JSONDict:
        """The update as it came (what ingress stores, to be read again)."""
        raw = self.unreadable.raw
        return copy.deepcopy(raw) if recursive else dict(raw)


def unreadable(item: object, error: BaseException) -> Unreadable | None:
    """The update `item` that could not be read, logged; None when it is not an update at all
    (no update_id): then the library's own error stands."""
    update_id = item.get("update_id") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(update_id, int):
        return None
    kinds = tuple(sorted(k for k in item if k != "update_id"))
    # The id, the kind and the error's type only: the contents are someone's message.
    log.warning(
        "update %s (%s) cannot be read (%s): skipped",
        update_id,
        ", ".join(kinds),
        type(error).__name__,
    )
    user_id, private, query_id = _sender(item)
    return Unreadable(update_id, kinds, type(error).__name__, user_id, private, query_id, item)


def read_update(item: JSONDict, bot: Bot | None) -> Update:
    """The update, or an `UnreadableUpdate` when the library cannot read it; raises what the
    library raised when it is not an update at all."""
    try:
        return Update.de_json(item, bot)
    except Exception as exc:
        found = unreadable(item, exc)
        if found is None:
            raise
        return UnreadableUpdate(found, bot)


def read_updates(items: Sequence[JSONDict], bot: Bot | None) -> tuple[Update, ...]:
    return tuple(read_update(item, bot) for item in items)


# Set while UpdatesBot lets the library read an answer: the library's own log line about a
# failure (CRITICAL, with the contents) is left out, as the failure is handled here.
_reading: ContextVar[bool] = ContextVar("reading_updates", default=False)


class _LibraryParseError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_reading.get() and str(record.msg).startswith("Error while parsing updates"))


_QUIET = _LibraryParseError()


@contextmanager
def _quiet_library(logger: logging.Logger) -> Iterator[None]:
    if _QUIET not in logger.filters:
        logger.addFilter(_QUIET)
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _results(body: bytes | None) -> list[Any] | None:
    """The updates of a getUpdates answer's body; None when it holds none."""
    try:
        answer = json.loads(body) if body is not None else None
    except ValueError:
        return None
    results = answer.get("result") if isinstance(answer, dict) else None
    return results if isinstance(results, list) else None


class UpdatesBot(ExtBot[Any]):
    """The bot's `ExtBot`: getUpdates answers with updates the library cannot read are read
    one by one, those skipped (`UnreadableUpdate`), the others handed on as usual.

    deleteWebhook, which long polling calls first (the library's updater, `Poller`), may be
    missing on a Bot API server that has no webhooks: then there is no webhook to delete,
    and polling starts anyway."""

    async def delete_webhook(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().delete_webhook(*args, **kwargs)
        except Unsupported as exc:
            log.warning("%s; polling for updates without it", exc.message)
            return True

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        request = self._request[0]
        kept = request if isinstance(request, ReadableUpdates) else None
        if kept is not None:
            kept.answer = None
        try:
            with _quiet_library(self._LOGGER):
                return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise
        except Exception:
            answer = _results(kept.answer if kept is not None else None)
            if answer is None:
                raise
        finally:
            if kept is not None:
                kept.answer = None
        updates = read_updates(answer, self)
        for update in updates:
            self.insert_callback_data(update)
        return updates


__all__ = [
    "Unreadable",
    "UnreadableUpdate",
    "UpdatesBot",
    "read_update",
    "read_updates",
    "unreadable",
]

"""The one error handler: log without secrets or personal data, tell the user, tell the admins."""

from __future__ import annotations

import contextlib
import logging
import math
import traceback
from datetime import timedelta

from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.core.i18n import gettext_for
from bot.core.refusals import safe_reason
from bot.core.turn import App, Context

log = logging.getLogger("bot.errors")


# Connection exceptions, operator intervention (shutdown, cannot connect now), too many
# connections.
DOWN_SQLSTATES = ("08", "57P", "53300")


def _sqlstate(error: DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")


def _is_value_out_of_range(error: BaseException | None) -> bool:
    """A value the database cannot hold (a number too large, a text too long): input that
    slipped past a step's own checks."""
    while error is not None:
        if isinstance(error, OverflowError | DataError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _is_database_down(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, TelegramError):
            # A failure talking to Telegram (its timeouts and dropped connections are OSErrors
            # underneath), not to the database: what the user did may well have been saved.
            return False
        if isinstance(error, OperationalError | ConnectionError | OSError):
            return True
        if isinstance(error, DBAPIError) and (
            error.connection_invalidated
            # Raised while connecting (no statement ran): e.g. PostgreSQL's "database is not
            # currently accepting connections" or "the database system is shutting down".
            or error.statement is None
            or _sqlstate(error).startswith(DOWN_SQLSTATES)
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


async def on_error(update: object, context: Context) -> None:
    error = context.error
    where = type(update).__name__
    if isinstance(update, Update):
        kind = "callback" if update.callback_query else "message" if update.message else "other"
        where = f"update {update.update_id} ({kind})"
    # The exception type and the stack only: exception messages can contain user text.
    frames = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    if isinstance(error, BadRequest):
        # Telegram refused a request: not a network problem, and not retried.
        log.error(
            "Telegram refused a request while handling %s: %s\n%s",
            where,
            safe_reason(error),
            frames,
        )
    else:
        log.error("error while handling %s: %s\n%s", where, type(error).__name__, frames)
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        return
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    language = None
    try:
        from bot.core.services import services

        async with services(context).transaction() as session:
            from bot.core.db.members import actor_for

            user = update.effective_user
            actor = await actor_for(session, user.id) if user else None
            language = actor.language if actor else None
    except Exception:  # the database may be the problem itself
        pass
    _ = gettext_for(language)
    if isinstance(error, BadRequest):
        text = _(
            "Sorry, Telegram did not accept my reply to you ({reason}). What you did may "
            "already be saved: please check before doing it again."
        ).format(reason=safe_reason(error))
    elif _is_value_out_of_range(error):
        text = _(
            "Sorry, a value you sent is too large to be saved. Nothing was saved: please "
            "check the numbers and the length of what you typed, and send it again."
        )
    elif isinstance(error, RetryAfter):
        # Telegram's flood limit asked for a wait longer than anyone would watch.
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        text = _(
            "Sorry, Telegram asked the bot to wait about {minutes} min before it sends more, so "
            "my last reply to you was not shown. What you did may already be saved: please "
            "check before doing it again."
        ).format(minutes=max(1, math.ceil(seconds / 60)))
    elif isinstance(error, NetworkError):
        # Telegram could not be reached for a reply for too long: what was done is saved.
        text = _(
            "Sorry, my last reply to you may have been lost because of a network problem with "
            "Telegram. What you did may already be saved: please check before doing it again."
        )
    elif _is_database_down(error):
        text = _(
            "Sorry, I cannot save anything right now because the database is not reachable. "
            "Nothing from your last message was saved. Please try again in a few minutes."
        )
    else:
        text = _(
            "Sorry, something went wrong on my side. Please try again; if it keeps happening, "
            "tell your township secretary."
        )
    private = update.effective_chat.type == "private"
    answered = False
    if update.callback_query is not None:
        # The handler may have answered the query already ("Saved") before failing; then
        # this answer is refused and the apology goes to the chat instead.
        with contextlib.suppress(TelegramError):
            answered = bool(await update.callback_query.answer(text[:200], show_alert=True))
    if not answered and private:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, text)
    from bot.core.services import services as _services

    admin_chat = _services(context).settings.telegram.admin_chat_id
    if admin_chat:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                admin_chat, f"⚠️ township-bot: {type(error).__name__} while handling {where}"
            )


def register(app: App) -> None:
    app.add_error_handler(on_error)

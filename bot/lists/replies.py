"""Short replies and alerts of the lists (message bodies are templates in templates/redblack)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.flows import STALE
from bot.core.i18n import N_, Gettext
from bot.core.render import format_datetime
from bot.core.text import Html, quoted
from bot.lists.service import Outcome, Refusal
from bot.lists.text import STATUS_LABELS
from bot.lists.views import period_text

NOT_YOURS = N_("You can only manage the lists of your own township.")
NOT_NAMED = N_("You are not named on any list preview that is open for objections.")
USAGE = N_(
    "Usage:\n/redblack preview [week|month|quarter]\n/redblack publish "
    "[week|month|quarter]\n/redblack correct [week|month|quarter] &lt;reason&gt;\n"
    "/redblack history"
)
MENU_TEXT = N_(
    "Red and black lists of {township}: prepare a preview (everyone named is told privately "
    "and may object), then publish it to the township group. To correct a published list, "
    "send /redblack correct and the reason."
)
PREVIEW_LABELS = {
    "week": N_("👀 Preview: week"),
    "month": N_("👀 Preview: month"),
    "quarter": N_("👀 Preview: quarter"),
}
HISTORY_BUTTON = N_("🗂 Published lists")
PUBLISH_BUTTON = N_("📢 Publish to the township group")
PRINTABLE = N_("Printable page for the notice board (A4).")

_FIXED = {
    Refusal.NO_PREVIEW: N_(
        "There is no preview to publish. Start with /redblack preview [week|month|quarter]."
    ),
    Refusal.NO_GROUP: N_(
        "No group chat is configured for this township (group_chat_id); nothing was published."
    ),
    Refusal.NOTHING_TO_CORRECT: N_("There is no published list to correct. Nothing was changed."),
    Refusal.NOT_NAMED: NOT_NAMED,
    Refusal.STALE: STALE,
    Refusal.NOT_YOURS: NOT_YOURS,
    Refusal.DECIDED: N_("This objection has already been decided."),
}


def refusal_text(
    _: Gettext, outcome: Outcome, lang: str, tz: ZoneInfo | None = None, *, publishing: bool = True
) -> Html:
    """Why a unit of work was refused, in the reader's words."""
    refusal = outcome.refusal
    if refusal is Refusal.ALREADY_PUBLISHED and outcome.other is not None:
        text = (
            N_(
                "Issue {number} for {period} is already published; it is not published twice. "
                "To change it, use /redblack correct with the reason."
            )
            if publishing
            else N_(
                "Issue {number} for {period} is already published. To change it, use "
                "/redblack correct with the reason."
            )
        )
        return _(text).format(
            number=outcome.other.number, period=period_text(outcome.other.snapshot, lang)
        )
    if refusal is Refusal.WINDOW_OPEN:
        return _(
            "The objection window is open until {until}. The list can be published after it closes."
        ).format(until=_moment(outcome.until, tz, lang))
    if refusal is Refusal.OBJECTIONS_OPEN:
        return _("Please decide the {n} open objections first (/object shows them).").format(
            n=outcome.count
        )
    if refusal is Refusal.WINDOW_CLOSED:
        return _("The objection window has closed; objections are no longer taken.")
    if refusal is Refusal.ALREADY_OBJECTED:
        return _("You have already objected to this list; the objection is {status}.").format(
            status=_(STATUS_LABELS.get(outcome.status, outcome.status))
        )
    assert refusal is not None and refusal in _FIXED
    return _(_FIXED[refusal])


def _moment(at: datetime | None, tz: ZoneInfo | None, lang: str) -> str:
    return format_datetime(at, tz, lang) if at is not None and tz is not None else ""


def bad_period_text(_: Gettext, word: str) -> Html:
    return _(
        "I do not know the period “{word}”. Use week, month or quarter, or a key such as "
        "2026-W47, 2026-10 or 2026-Q4."
    ).format(word=quoted(word))

"""The messages the lists send to other people (through the outbox): the private notice to
everybody named, an objection to the secretaries, a decision to the member, the group post.
Each is rendered in its recipient's language, and its buttons are signed for them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import links
from bot.core.callbacks import CallbackCodec, Cb
from bot.core.db.members import Recipient
from bot.core.i18n import N_, gettext_for
from bot.core.models import RedBlackIssue, RedBlackObjection, Township
from bot.core.outbox import Outgoing
from bot.core.render import format_datetime
from bot.core.services import Services
from bot.core.text import Html, plain
from bot.lists.actions import BUTTONS, RULES_BUTTON, RULES_LINK, Act, Verdict
from bot.lists.ledger import render_lists
from bot.lists.snapshot import listed
from bot.lists.text import LIST_LABELS
from bot.lists.views import decision_told, period_text, view

OBJECT_BUTTON = N_("✋ Object")
UPHOLD_BUTTON = N_("✅ Uphold")
REJECT_BUTTON = N_("❌ Reject")


def markup(
    codec: CallbackCodec, rows: Sequence[Sequence[tuple[str, Cb]]], owner: int
) -> dict[str, Any]:
    """An inline keyboard for a message to someone else, every button signed for `owner`."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(label), callback_data=codec.sign(action, owner))
                for label, action in row
            ]
            for row in rows
        ]
    ).to_dict()


def decision_row(codec: CallbackCodec, objection_id: int, language: str) -> list[tuple[str, Cb]]:
    _ = gettext_for(language)
    return [
        (_(UPHOLD_BUTTON), codec.action(BUTTONS.code, Act.DECIDE, objection_id, Verdict.UPHOLD)),
        (_(REJECT_BUTTON), codec.action(BUTTONS.code, Act.DECIDE, objection_id, Verdict.REJECT)),
    ]


def _fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]


def listing_reasons(
    snapshot: dict[str, Any], member_id: int, list_name: str, lang: str
) -> list[str]:
    return next(
        (x["reasons"] for x in view(snapshot, lang)[list_name] if x["member_id"] == member_id), []
    )


def told_notices(
    svc: Services,
    township: Township,
    issue: RedBlackIssue,
    people: Sequence[Recipient],
    *,
    corrected: bool = False,
) -> list[Outgoing]:
    """A private notice to everybody named, with the facts and (on a preview) the button to
    object; keyed by the listing, so the same listing is told once."""
    named = listed(issue.snapshot)
    by_id = {p.member_id: p for p in people if p.member_id in named}
    tz = svc.settings.township_tz(township.code)
    views: dict[str, dict[str, Any]] = {}
    out = []
    for member_id, list_name in sorted(named.items()):
        person = by_id.get(member_id)
        if person is None:
            continue
        lang = person.language
        v = views.setdefault(lang, view(issue.snapshot, lang))
        item = next(x for x in v[list_name] if x["member_id"] == member_id)
        _ = gettext_for(lang)
        text = svc.renderer.render(
            "lists/told.html.j2",
            lang,
            v=v,
            list_name=list_name,
            list_label=_(LIST_LABELS[list_name]),
            reasons=item["reasons"],
            until=format_datetime(issue.objections_until, tz, lang)
            if issue.objections_until
            else "",
            corrected=corrected,
            number=issue.number or 0,
        )
        buttons = None
        if not corrected:
            buttons = markup(
                svc.codec,
                [[(_(OBJECT_BUTTON), svc.codec.action(BUTTONS.code, Act.OBJECT, issue.id))]],
                person.telegram_user_id,
            )
        out.append(
            Outgoing(
                key="redblack:told:{}:{}:{}".format(
                    issue.id, member_id, _fingerprint([list_name, item["reasons"], corrected])
                ),
                job="redblack_told",
                chat_id=person.telegram_user_id,
                text=text,
                township_id=township.id,
                member_id=member_id,
                reply_markup=buttons,
            )
        )
    return out


def objection_body(
    svc: Services, issue: RedBlackIssue, objection: RedBlackObjection, name: str, lang: str
) -> Html:
    return svc.renderer.render(
        "lists/objection.html.j2",
        lang,
        name=name,
        period=period_text(issue.snapshot, lang),
        list_label=gettext_for(lang)(LIST_LABELS[objection.list_name]),
        reasons=listing_reasons(issue.snapshot, objection.member_id, objection.list_name, lang),
        text=objection.text,
    )


def objection_notices(
    svc: Services,
    issue: RedBlackIssue,
    objection: RedBlackObjection,
    name: str,
    secretaries: Sequence[Recipient],
) -> list[Outgoing]:
    """The objection to each secretary of the township, with the decision buttons."""
    return [
        Outgoing(
            key=f"redblack:objection:{objection.id}:{s.member_id}",
            job="redblack_objection",
            chat_id=s.telegram_user_id,
            text=objection_body(svc, issue, objection, name, s.language),
            township_id=issue.township_id,
            member_id=s.member_id,
            reply_markup=markup(
                svc.codec, [decision_row(svc.codec, objection.id, s.language)], s.telegram_user_id
            ),
        )
        for s in secretaries
    ]


def decision_notice(
    issue: RedBlackIssue,
    objection: RedBlackObjection,
    member_id: int,
    telegram_user_id: int,
    language: str,
) -> Outgoing:
    _ = gettext_for(language)
    period = period_text(issue.snapshot, language)
    told = decision_told(_, objection.status == "upheld", period, objection.decision_note)
    return Outgoing(
        key=f"redblack:decision:{objection.id}",
        job="redblack_decision",
        chat_id=telegram_user_id,
        member_id=member_id,
        township_id=issue.township_id,
        text=told,
    )


def group_posts(svc: Services, township: Township, issue: RedBlackIssue) -> list[Outgoing]:
    """The published issue for the township group, in the township's language."""
    assert township.group_chat_id is not None
    language = svc.settings.language
    username = links.bot_username(svc)
    # The full rules through a deep link: a button in a group is nobody's to press.
    rules = (
        links.url_markup(
            gettext_for(language)(RULES_BUTTON), links.deep_link(username, RULES_LINK, issue.id)
        )
        if username
        else None
    )
    parts = render_lists(
        svc.renderer,
        svc.settings,
        township.code,
        issue.snapshot,
        issue,
        language,
        full_rules=rules is None,
    )
    return [
        Outgoing(
            key=f"redblack:publish:{issue.id}#{i}",
            job="redblack_publish",
            chat_id=township.group_chat_id,
            text=part,
            township_id=township.id,
            reply_markup=rules if i == len(parts) else None,
        )
        for i, part in enumerate(parts, start=1)
    ]

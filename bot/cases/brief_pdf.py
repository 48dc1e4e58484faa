"""The dispute brief for the 政法联席会议 (/casebrief) as an A4 PDF: the open cases that are
difficult, overdue, referred or escalated, with their mediators and never their parties."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import facts as case_facts
from bot.cases import queries as case_db
from bot.cases import rules
from bot.cases.views import STATUS_LABELS, View
from bot.core.config import Settings
from bot.core.db.directory import TownshipInfo
from bot.core.fonts import NoCjkFont
from bot.core.i18n import N_, gettext_for
from bot.core.models import Township
from bot.core.printing import page_css
from bot.core.render import Renderer, format_date, format_datetime, listing
from bot.core.turn import MemberTurn, Turn
from bot.core.worker import RenderFailed, print_pdf

REASONS = {
    rules.BRIEF_REASON_DIFFICULT: N_("difficult"),
    rules.BRIEF_REASON_OVERDUE: N_("overdue"),
    rules.BRIEF_REASON_REFERRED: N_("referred"),
    rules.BRIEF_REASON_ESCALATED: N_("escalated"),
}


def brief_filename(code: str, now: datetime) -> str:
    return f"政法联席会议-{code}-{now:%Y-%m-%d}.pdf"


async def brief_html(
    session: AsyncSession,
    settings: Settings,
    renderer: Renderer,
    township: Township | TownshipInfo,
    now: datetime,
    language: str,
) -> str:
    _ = gettext_for(language)
    tz = settings.township_tz(township.code)
    today = now.astimezone(tz).date()
    view = View(_, language, tz, today, case_db.case_config(settings))
    items = await case_facts.brief_items(session, township.id, today)
    names = await case_db.member_names(
        session,
        [s.state.mediator_id or s.state.opened_by for s, _i in items],
    )
    return renderer.render(
        "print/casebrief.html.j2",
        language,
        page_css=page_css(language),
        township=township.name,
        period=_("As of {date}").format(date=format_date(today, language)),
        printed=format_datetime(now, tz, language),
        counts={key: sum(1 for _s, i in items if key in i.reasons) for key in REASONS},
        items=[
            {
                "number": s.state.number,
                "village": s.state.village,
                "category": view.category(s.state.category),
                "tier": view.tier(s.state.tier),
                "status": _(STATUS_LABELS[s.state.status]),
                "unit": view.unit(s.state.referral_unit),
                "registered": view.date(s.state.registered_on),
                "deadline": view.date(s.state.deadline),
                "days_past": item.days_past_deadline,
                "reasons": listing(language, (_(REASONS[r]) for r in item.reasons)),
                "mediator": names.get(s.state.mediator_id or s.state.opened_by, ""),
            }
            for s, item in items
        ],
    )


async def brief_pdf(
    session: AsyncSession,
    settings: Settings,
    renderer: Renderer,
    township: Township | TownshipInfo,
    now: datetime,
    language: str,
) -> bytes:
    html = await brief_html(session, settings, renderer, township, now, language)
    return await print_pdf(html, {}, language)


def print_label(turn: Turn) -> str:
    return str(turn._("🖨 For print (PDF)"))


async def send_brief_pdf(turn: MemberTurn, township: TownshipInfo) -> None:
    """The brief as a PDF document; a short note when no PDF can be made here (no Chinese
    font installed)."""
    _ = turn._
    async with turn.svc.transaction() as session:
        html = await brief_html(
            session, turn.svc.settings, turn.svc.renderer, township, turn.now, turn.lang
        )
    try:
        data = await print_pdf(html, {}, turn.lang)
    except (NoCjkFont, RenderFailed):
        await turn.send(_("The brief could not be made into a PDF on this server."))
        return
    chat = turn.update.effective_chat
    if chat is not None:
        await turn.context.bot.send_document(
            chat.id,
            document=data,
            filename=brief_filename(township.code, turn.now),
            caption=_("For print (A4)."),
        )


__all__ = ["brief_filename", "brief_html", "brief_pdf", "print_label", "send_brief_pdf"]

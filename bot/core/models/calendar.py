"""The holiday notices imported into the work calendar (bot/calendar): one row per day a
notice names. They override the holiday library for the notice's year; the config's
`[calendar]` overrides still win over both (bot/core/calendar.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # The notice's year (a New Year's holiday may start in the December before).
    year: Mapped[int] = mapped_column(Integer, index=True)
    # True: a 调休 workday (上班); False: a day off (放假).
    is_workday: Mapped[bool] = mapped_column(Boolean)
    # The holiday as the notice names it: 春节, 国庆节、中秋节.
    holiday: Mapped[str] = mapped_column(String(40))
    imported_at: Mapped[datetime] = mapped_column()

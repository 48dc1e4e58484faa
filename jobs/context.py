"""What a scheduled job gets: a session, the services, the township and the occurrence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.calendar import WorkCalendar
from bot.core.models import Township
from bot.core.services import Services
from bot.week.deadline import ReportSchedule
from bot.week.schedule import WeekRules
from jobs.plan import Occurrence


@dataclass
class JobContext:
    session: AsyncSession
    svc: Services
    township: Township
    occurrence: Occurrence
    now: datetime
    tz: ZoneInfo
    calendar: WorkCalendar
    schedule: ReportSchedule
    week: WeekRules

    @property
    def key_prefix(self) -> str:
        """What the outbox keys of this occurrence's messages in this township begin with."""
        occ = self.occurrence
        return f"{occ.job}:{self.township.code}:{occ.period}"

    def key(self, recipient: object) -> str:
        return f"{self.key_prefix}:{recipient}"

"""Runs due job occurrences exactly once and drains the outbox.

PTB's JobQueue only calls `tick()` on a timer. Which occurrences are due comes from the
workday calendar (jobs/plan.py) and the injectable clock; a `job_runs` row per occurrence,
inserted in the same transaction as the messages it queues, makes every occurrence run once
across restarts and instances. Only the instance holding the `scheduler` lease plans jobs;
every instance may deliver, because outbox rows are claimed atomically.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import queries as calendar_db
from bot.core.config import SchedulerConfig
from bot.core.db.leases import acquire_lease, release_lease, take_lease
from bot.core.delivery import OutboxSender
from bot.core.models import JobRun, ParkedFlow, Township
from bot.core.models.core import PARKED_DAYS
from bot.core.outbox import Outgoing, enqueue
from bot.core.services import Services
from bot.week.schedule import work_calendar
from jobs.context import JobContext
from jobs.notices import (
    calendar_fallback_notices,
    calendar_next_year_notices,
    missed_job_notices,
)
from jobs.plan import Occurrence, occurrences_between
from jobs.rules import TownshipRules, township_rules

log = logging.getLogger(__name__)

JobFunc = Callable[[JobContext], Awaitable[list[Outgoing]]]
LOOKBACK = timedelta(days=8)
LEASE_NAME = "scheduler"


class Scheduler:
    def __init__(
        self,
        svc: Services,
        sender: OutboxSender,
        jobs: dict[str, JobFunc],
        *,
        instance: str | None = None,
    ) -> None:
        self.svc = svc
        self.sender = sender
        self.jobs = jobs
        self.instance = instance or f"instance-{uuid.uuid4().hex[:8]}"
        self._warned_years: set[int] = set()
        self._reminded_years: set[int] = set()
        self._drafts_dropped_at: datetime | None = None

    @property
    def config(self) -> SchedulerConfig:
        return self.svc.settings.scheduler

    def rules(self, code: str) -> TownshipRules:
        return township_rules(self.svc.settings, code)

    async def holds_lease(self) -> bool:
        async with self.svc.transaction() as session:
            return await acquire_lease(
                session,
                LEASE_NAME,
                self.instance,
                timedelta(seconds=self.config.lease_seconds),
            )

    async def take_over(self) -> None:
        """This instance has just become the active one: the scheduler is its job now, so a
        dead instance's scheduler lease is taken at once instead of after it runs out."""
        async with self.svc.transaction() as session:
            await take_lease(
                session,
                LEASE_NAME,
                self.instance,
                timedelta(seconds=self.config.lease_seconds),
            )

    async def tick(self) -> None:
        """Run whatever is due now, then deliver what is queued."""
        # A holiday notice imported from the shell or by another instance counts from here.
        await self.svc.in_transaction(
            lambda session: calendar_db.refresh(session, self.svc.settings)
        )
        if self.config.enabled and await self.holds_lease():
            await self.run_due(self.svc.clock.now())
        await self.sender.drain()

    async def run_due(self, now: datetime) -> int:
        ran = 0
        async with self.svc.transaction() as session:
            townships = list(
                await session.scalars(select(Township).where(Township.active.is_(True)))
            )
            for township in townships:
                if township.schedule_from is None:
                    township.schedule_from = now
        for township in townships:
            rules = self.rules(township.code)
            start = max(now - LOOKBACK, township.schedule_from or now)
            for occurrence in occurrences_between(
                start, now, rules.calendar, rules.schedule, rules.times, rules.tz
            ):
                ran += await self.run_occurrence(township, occurrence, rules, now)
        await self._warn_calendar_fallback(now)
        await self._remind_next_year(now)
        await self._drop_stale_drafts(now)
        return ran

    async def _drop_stale_drafts(self, now: datetime) -> None:
        """Drafts set aside (`parked_flows`) and never taken up again are dropped after
        `PARKED_DAYS`: a case registration's may name its parties. Hourly is often enough."""
        if self._drafts_dropped_at is not None and now - self._drafts_dropped_at < timedelta(
            hours=1
        ):
            return
        async with self.svc.transaction() as session:
            await session.execute(
                delete(ParkedFlow).where(ParkedFlow.parked_at < now - timedelta(days=PARKED_DAYS))
            )
        self._drafts_dropped_at = now

    async def run_occurrence(
        self, township: Township, occurrence: Occurrence, rules: TownshipRules, now: datetime
    ) -> int:
        """Run one occurrence once; returns 1 if it ran (or was recorded missed) here."""
        grace = timedelta(minutes=self.config.catch_up_grace_minutes)
        try:
            async with self.svc.transaction() as session:
                done = await session.scalar(
                    select(JobRun.id).where(
                        JobRun.job == occurrence.job,
                        JobRun.township_id == township.id,
                        JobRun.period == occurrence.period,
                    )
                )
                if done is not None:
                    return 0
                run = JobRun(
                    job=occurrence.job,
                    township_id=township.id,
                    period=occurrence.period,
                    due_at=occurrence.due_at,
                    ran_at=now,
                    instance=self.instance,
                    outcome="done",
                    messages=0,
                )
                if now - occurrence.due_at > grace:
                    run.outcome = "missed"
                    log.warning(
                        "job %s for %s (%s) was missed: due %s, bot was down",
                        occurrence.job,
                        township.code,
                        occurrence.period,
                        occurrence.due_at,
                    )
                    outgoing = await missed_job_notices(
                        session,
                        township,
                        occurrence,
                        rules.tz,
                        self.svc.settings.telegram.admin_chat_id,
                    )
                else:
                    outgoing = await self._work(session, township, occurrence, rules, now)
                # The claim comes after the work: on SQLite the first write takes the
                # database's one write lock, and the work (charts drawn in a child process)
                # may take seconds that every other writer would wait.
                session.add(run)
                await session.flush()
                run.messages = await enqueue(session, outgoing, now)
                return 1
        except IntegrityError:
            return 0  # another instance ran it first

    async def _work(
        self,
        session: AsyncSession,
        township: Township,
        occurrence: Occurrence,
        rules: TownshipRules,
        now: datetime,
    ) -> list[Outgoing]:
        func = self.jobs.get(occurrence.job)
        if func is None:
            return []
        township_now = await session.get(Township, township.id)
        assert township_now is not None
        return await func(
            JobContext(
                session=session,
                svc=self.svc,
                township=township_now,
                occurrence=occurrence,
                now=now,
                tz=rules.tz,
                calendar=rules.calendar,
                schedule=rules.schedule,
                week=rules.week,
            )
        )

    async def stop(self) -> None:
        async with self.svc.transaction() as session:
            await release_lease(session, LEASE_NAME, self.instance)

    async def on_clock_moved(self, previous: datetime, now: datetime) -> None:
        """The clock hook (bot/core/clock.py): run what fell due in (previous, now] at its own time,
        so a jump over Thursday 12:00 sends the reminder instead of recording it as missed."""
        set_time = getattr(self.svc.clock, "set", None)
        if set_time is None:
            return
        set_time(previous)
        await self.travel(now)

    async def travel(self, target: datetime) -> None:
        """Move the clock to `target`, stopping at every occurrence on the way (demo, tests)."""
        clock = self.svc.clock
        set_time = getattr(clock, "set", None)
        if set_time is None:
            raise RuntimeError("time travel needs a ManualClock")
        while True:
            now = clock.now()
            upcoming = await self.next_due(now, target)
            if upcoming is None:
                break
            set_time(upcoming)
            await self.tick()
        set_time(target)
        await self.tick()

    async def next_due(self, after: datetime, until: datetime) -> datetime | None:
        async with self.svc.transaction() as session:
            townships = list(
                await session.scalars(select(Township).where(Township.active.is_(True)))
            )
        times = []
        for township in townships:
            rules = self.rules(township.code)
            found = occurrences_between(
                after, until, rules.calendar, rules.schedule, rules.times, rules.tz
            )
            if found:
                times.append(found[0].due_at)
        return min(times) if times else None

    async def _warn_calendar_fallback(self, now: datetime) -> None:
        new_years = work_calendar(self.svc.settings).fallback_years - self._warned_years
        if not new_years:
            return
        self._warned_years |= new_years
        async with self.svc.transaction() as session:
            for year in sorted(new_years):
                log.warning(
                    "the holiday calendar has no data for %s; using Monday-Friday plus overrides",
                    year,
                )
                notices = await calendar_fallback_notices(
                    session,
                    year,
                    self.svc.settings.telegram.admin_chat_id,
                    self.svc.settings.language,
                )
                await enqueue(session, notices, now)

    async def _remind_next_year(self, now: datetime) -> None:
        """From 1 December, tell the admins once if next year's holidays are not known
        (neither the holiday library nor an imported notice has them)."""
        today = now.astimezone(self.svc.settings.tz).date()
        year = today.year + 1
        if today.month != 12 or year in self._reminded_years:
            return
        self._reminded_years.add(year)
        # Known, or the admins were just told the calendar already uses Monday to Friday.
        if work_calendar(self.svc.settings).knows(year) or year in self._warned_years:
            return
        log.warning("the holidays of %s are not known yet; reminding the admins", year)
        async with self.svc.transaction() as session:
            notices = await calendar_next_year_notices(
                session,
                year,
                self.svc.settings.telegram.admin_chat_id,
                self.svc.settings.language,
            )
            await enqueue(session, notices, now)

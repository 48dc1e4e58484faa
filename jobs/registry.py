"""The scheduled jobs: each turns one occurrence into outbox messages."""

from __future__ import annotations

from jobs import agenda, cases, lists, plan, reports, visits
from jobs.scheduler import JobFunc

JOBS: dict[str, JobFunc] = {
    plan.REPORT_OPEN: reports.report_open,
    plan.REPORT_LAST_CALL: reports.report_last_call,
    plan.REPORT_DEADLINE: reports.report_deadline,
    plan.FIELD_NUDGE: visits.field_nudge,
    plan.FIELD_LAST_CALL: visits.field_last_call,
    plan.MONDAY_AGENDA: agenda.monday_agenda,
    plan.DISPUTE_REMINDERS: cases.dispute_reminders,
    plan.WEEKLY_SUMMARY: agenda.weekly_summary,
    plan.MONTHLY_SUMMARY: agenda.monthly_summary,
    plan.LISTS_PREVIEW: lists.lists_preview,
}

"""The scheduled jobs: each turns one occurrence into outbox messages."""

from __future__ import annotations

from jobs import lists, plan, weekly
from jobs.scheduler import JobFunc

JOBS: dict[str, JobFunc] = {
    plan.REPORT_OPEN: weekly.report_open,
    plan.REPORT_LAST_CALL: weekly.report_last_call,
    plan.REPORT_DEADLINE: weekly.report_deadline,
    plan.FIELD_NUDGE: weekly.field_nudge,
    plan.FIELD_LAST_CALL: weekly.field_last_call,
    plan.MONDAY_AGENDA: weekly.monday_agenda,
    plan.DISPUTE_REMINDERS: weekly.dispute_reminders,
    plan.WEEKLY_SUMMARY: weekly.weekly_summary,
    plan.MONTHLY_SUMMARY: weekly.monthly_summary,
    plan.LISTS_PREVIEW: lists.lists_preview,
}

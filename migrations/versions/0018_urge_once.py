"""urge once

The week's 催交 of a township as one row under a unique key, so that two presses at once
remind once (before, the audit log was read first, which two presses could both pass). The
reminders already in the audit log are carried over.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    chases = op.create_table(
        "report_chases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["members.id"],
            name=op.f("fk_report_chases_sent_by_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["township_id"],
            ["townships.id"],
            name=op.f("fk_report_chases_township_id_townships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_chases")),
        sa.UniqueConstraint(
            "township_id", "week_start", name=op.f("uq_report_chases_township_id_week_start")
        ),
    )
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor_member_id", sa.Integer()),
        sa.column("township_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("entity_id", sa.String()),
    )
    earlier = op.get_bind().execute(
        sa.select(audit.c.at, audit.c.actor_member_id, audit.c.township_id, audit.c.entity_id)
        .where(audit.c.action == "report_chase", audit.c.township_id.is_not(None))
        .order_by(audit.c.at, audit.c.id)
    )
    first: dict[tuple[int, date], dict[str, object]] = {}
    for at, by, township_id, entity_id in earlier:
        week = date.fromisoformat(str(entity_id).split(":")[-1])
        first.setdefault(
            (township_id, week),
            {"township_id": township_id, "week_start": week, "sent_by": by, "sent_at": at},
        )
    if first:
        op.bulk_insert(chases, list(first.values()))


def downgrade() -> None:
    op.drop_table("report_chases")

"""report marks covering index

The red/black lists read, for every cadre of a township, which weeks of the period have a
submitted report and when it was first submitted. With the first submission in a
(member, week) index, that lookup reads the index only, not a table row per report (the
unique constraint's index holds the member and week alone).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_weekly_reports_member_week_submitted"


def upgrade() -> None:
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.create_index(NAME, ["member_id", "week_start", "first_submitted_at"])


def downgrade() -> None:
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.drop_index(NAME)

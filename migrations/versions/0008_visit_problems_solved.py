"""visit logs count their problems solved

The quota sums (the red/black lists' per-week sums, the week overview) counted each visit
log's problems with a subquery per log: on PostgreSQL that read a table row and probed the
problems' index for every visit log. The count is now kept on the log (set with the
problems, `bot.week.queries._apply`) and held in the township/date covering index, so the sums
read that index only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ["township_id", "visit_date", "member_id", "dispute_screenings", "deleted_at"]
COVERING = [
    "township_id",
    "visit_date",
    "member_id",
    "dispute_screenings",
    "problems_solved",
    "deleted_at",
]


def upgrade() -> None:
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("problems_solved", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE field_visits SET problems_solved = "
        "(SELECT count(*) FROM visit_problems WHERE visit_problems.visit_id = field_visits.id) "
        "WHERE EXISTS (SELECT 1 FROM visit_problems WHERE visit_problems.visit_id = field_visits.id)"
    )
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_field_visits_township_date")
        batch_op.create_index("ix_field_visits_township_date", COVERING, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_field_visits_township_date")
        batch_op.create_index("ix_field_visits_township_date", BEFORE, unique=False)
        batch_op.drop_column("problems_solved")

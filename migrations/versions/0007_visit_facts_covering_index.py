"""visit facts covering index

The red/black lists sum each cadre's visit logs per week over a whole period, for every
township: with the member, the screenings and the deletion mark in the township/date
index, that scan reads the index only, not a table row per visit log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERING = ["township_id", "visit_date", "member_id", "dispute_screenings", "deleted_at"]


def upgrade() -> None:
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_field_visits_township_date")
        batch_op.create_index("ix_field_visits_township_date", COVERING, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_field_visits_township_date")
        batch_op.create_index(
            "ix_field_visits_township_date", ["township_id", "visit_date"], unique=False
        )

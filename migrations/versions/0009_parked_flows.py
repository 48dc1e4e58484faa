"""parked flows: an unfinished visit log or case registration survives another command

A user has one active flow (it routes their typed messages). Starting another command used
to overwrite an unfinished visit log or case registration; it is now set aside here and
resumed when the user starts that flow again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parked_flows",
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id", "flow", name=op.f("pk_parked_flows")),
    )


def downgrade() -> None:
    op.drop_table("parked_flows")

"""web idempotent sends

What the township's own Bot API server answered each request that carried an idempotency
key (the outbox's sends), so that a repeat of the key is answered the same instead of
sending the message again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sends",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_web_sends")),
    )
    with op.batch_alter_table("web_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sends_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sends_created_at"))
    op.drop_table("web_sends")

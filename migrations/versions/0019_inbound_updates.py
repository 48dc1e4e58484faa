"""inbound updates

Updates stored before they are handled, and which instance handles each user's updates, for
several active instances on one PostgreSQL (`[instance] active = "all"`).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbound_updates")),
    )
    with op.batch_alter_table("inbound_updates", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_updates_done_at", ["done_at"], unique=False)
        batch_op.create_index(
            "ix_inbound_updates_pending",
            ["key", "update_id"],
            unique=False,
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        )
    op.create_table(
        "update_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_update_keys")),
    )


def downgrade() -> None:
    op.drop_table("update_keys")
    with op.batch_alter_table("inbound_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_updates_pending", sqlite_where=sa.text("done_at IS NULL"))
        batch_op.drop_index("ix_inbound_updates_done_at")
    op.drop_table("inbound_updates")

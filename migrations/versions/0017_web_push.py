"""web push

Web Push for the web channel: the deployment's VAPID key pair, browsers' push subscriptions
(bound to the signed-in device) and the pushes queued for members away from the page.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_push_keys",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("private_key", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_push_keys")),
    )
    op.create_table(
        "web_push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1024), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_web_push_subscriptions_endpoint")),
    )
    with op.batch_alter_table("web_push_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_web_push_subscriptions_user", ["user_id"], unique=False)
        batch_op.create_index("ix_web_push_subscriptions_session", ["session_id"], unique=True)

    op.create_table(
        "web_pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_pushes")),
    )
    with op.batch_alter_table("web_pushes", schema=None) as batch_op:
        batch_op.create_index("ix_web_pushes_status", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_web_pushes_subscription_id"), ["subscription_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("web_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_pushes_subscription_id"))
        batch_op.drop_index("ix_web_pushes_status")
    op.drop_table("web_pushes")
    with op.batch_alter_table("web_push_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_web_push_subscriptions_session")
        batch_op.drop_index("ix_web_push_subscriptions_user")
    op.drop_table("web_push_subscriptions")
    op.drop_table("web_push_keys")

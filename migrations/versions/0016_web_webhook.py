"""web channel webhook

How the bot takes its updates from the township's own Bot API server: setWebhook's address,
secret and wanted update types, and the state of delivery to it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_webhook",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret_token", sa.String(length=256), nullable=True),
        sa.Column("max_connections", sa.Integer(), nullable=False),
        sa.Column("allowed_updates", sa.JSON(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_message", sa.String(length=256), nullable=True),
        sa.Column("delivering_by", sa.String(length=64), nullable=True),
        sa.Column("delivering_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_webhook")),
    )


def downgrade() -> None:
    op.drop_table("web_webhook")

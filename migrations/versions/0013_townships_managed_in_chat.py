"""townships managed in chat

Villages are added, renamed and retired in chat and the township group is set there, so the
config seeds a township once and the database wins afterwards:

- `villages.config_name` is the name the config introduced a village under (None for one
  added in chat); the config adds a village only under a name it never introduced. Every
  existing village came from the config, under its current name.
- `townships.revision` is bumped by every change to a township or its villages, so each
  running instance knows when to reload what it keeps in memory.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config_name", sa.String(length=64), nullable=True))
    op.execute("UPDATE villages SET config_name = name")
    with op.batch_alter_table("townships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("townships", schema=None) as batch_op:
        batch_op.drop_column("revision")
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.drop_column("config_name")

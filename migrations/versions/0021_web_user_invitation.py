"""web user invitation

The invitation that signed a web user in: an invitation signs one browser in, once, even
before the member confirms the registration in the chat.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_web_users_invite_hash"), ["invite_hash"])


def downgrade() -> None:
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_web_users_invite_hash"), type_="unique")
        batch_op.drop_column("invite_hash")

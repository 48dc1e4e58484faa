"""a member of several townships

A person may belong to several townships (secondment, transfer, a secretary who is also a
cadre elsewhere), and each township judges them only on what was recorded for it:

- a weekly report is unique per member, township and week (it was per member and week, so
  a report counted in every township the member belonged to), and the lists' covering
  index of report marks gains the township;
- a role records when it was taken (`joined_at`), so a township judges a member from the
  first full week after they joined *it*; existing roles take the member's creation time;
- `chat_townships` remembers which township a chat works in when that is ambiguous.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_reports_member_week_submitted")
        batch_op.drop_constraint("uq_weekly_reports_member_id_week_start", type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_weekly_reports_member_id_township_id_week_start"),
            ["member_id", "township_id", "week_start"],
        )
        batch_op.create_index(
            "ix_weekly_reports_member_township_week_submitted",
            ["member_id", "township_id", "week_start", "first_submitted_at"],
        )
    with op.batch_alter_table("member_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE member_roles SET joined_at = "
        "(SELECT members.created_at FROM members WHERE members.id = member_roles.member_id)"
    )
    op.create_table(
        "chat_townships",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["township_id"],
            ["townships.id"],
            name=op.f("fk_chat_townships_township_id_townships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_townships")),
    )


def downgrade() -> None:
    op.drop_table("chat_townships")
    with op.batch_alter_table("member_roles", schema=None) as batch_op:
        batch_op.drop_column("joined_at")
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_weekly_reports_member_township_week_submitted")
        batch_op.drop_constraint(
            "uq_weekly_reports_member_id_township_id_week_start", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_weekly_reports_member_id_week_start", ["member_id", "week_start"]
        )
        batch_op.create_index(
            "ix_weekly_reports_member_week_submitted",
            ["member_id", "week_start", "first_submitted_at"],
        )

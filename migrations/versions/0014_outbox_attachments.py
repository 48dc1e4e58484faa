"""outbox attachments

A scheduled message may be a photo (the charts of the Monday agenda and the monthly
summary) or a document: the outbox row says which (`attachment_kind`) and points at the
file, stored once in `outbox_files` however many rows send it; `text` is its caption.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_files")),
        sa.UniqueConstraint("digest", name=op.f("uq_outbox_files_digest")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_kind", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("attachment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_attachment_id_outbox_files"),
            "outbox_files",
            ["attachment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_attachment_id_outbox_files"), type_="foreignkey"
        )
        batch_op.drop_column("attachment_id")
        batch_op.drop_column("attachment_kind")
    op.drop_table("outbox_files")

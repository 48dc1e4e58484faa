"""dispute case ledger: cases, parties, timeline, numbering counter

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispute_case_counter",
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["township_id"],
            ["townships.id"],
            name=op.f("fk_dispute_case_counter_township_id_townships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("township_id", "year", name=op.f("pk_dispute_case_counter")),
    )
    op.create_table(
        "dispute_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("mediator_id", sa.Integer(), nullable=True),
        sa.Column("mediation_started_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("agreement_form", sa.String(length=16), nullable=True),
        sa.Column("agreement_summary", sa.Text(), nullable=True),
        sa.Column("amount_agreed_fen", sa.BigInteger(), nullable=True),
        sa.Column("amount_paid_fen", sa.BigInteger(), nullable=True),
        sa.Column("unresolved_on", sa.Date(), nullable=True),
        sa.Column("referral_unit", sa.String(length=32), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("followup_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("relief_total_fen", sa.BigInteger(), nullable=False),
        sa.Column("relief_count", sa.Integer(), nullable=False),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("last_reopened_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediator_id"], ["members.id"], name=op.f("fk_dispute_case_mediator_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["members.id"], name=op.f("fk_dispute_case_opened_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["township_id"],
            ["townships.id"],
            name=op.f("fk_dispute_case_township_id_townships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_dispute_case_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_case")),
        sa.UniqueConstraint(
            "township_id", "number", name=op.f("uq_dispute_case_township_id_number")
        ),
        sa.UniqueConstraint(
            "township_id", "year", "seq", name=op.f("uq_dispute_case_township_id_year_seq")
        ),
    )
    with op.batch_alter_table("dispute_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispute_case_mediator_id"), ["mediator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dispute_case_opened_by"), ["opened_by"], unique=False)
        batch_op.create_index(
            "ix_dispute_case_township_registered", ["township_id", "registered_on"], unique=False
        )
        batch_op.create_index(
            "ix_dispute_case_township_status", ["township_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dispute_case_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "dispute_case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_member_id"],
            ["members.id"],
            name=op.f("fk_dispute_case_event_actor_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dispute_case.id"],
            name=op.f("fk_dispute_case_event_case_id_dispute_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_case_event")),
    )
    with op.batch_alter_table("dispute_case_event", schema=None) as batch_op:
        batch_op.create_index("ix_dispute_case_event_case_at", ["case_id", "at"], unique=False)

    op.create_table(
        "dispute_case_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dispute_case.id"],
            name=op.f("fk_dispute_case_party_case_id_dispute_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_case_party")),
    )
    with op.batch_alter_table("dispute_case_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispute_case_party_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dispute_case_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_case_party_case_id"))

    op.drop_table("dispute_case_party")
    with op.batch_alter_table("dispute_case_event", schema=None) as batch_op:
        batch_op.drop_index("ix_dispute_case_event_case_at")

    op.drop_table("dispute_case_event")
    with op.batch_alter_table("dispute_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_case_village_id"))
        batch_op.drop_index("ix_dispute_case_township_status")
        batch_op.drop_index("ix_dispute_case_township_registered")
        batch_op.drop_index(batch_op.f("ix_dispute_case_opened_by"))
        batch_op.drop_index(batch_op.f("ix_dispute_case_mediator_id"))

    op.drop_table("dispute_case")
    op.drop_table("dispute_case_counter")

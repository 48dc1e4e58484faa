"""web channel

The township's own Bot API server and web chat (`bot.web`): its chats, messages, files,
pending updates and callback queries, command menus, signed-in browsers, one-time links
that sign in another device, sign-in attempts, and nudges through a township's group robot.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_callbacks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_callbacks")),
    )
    with op.batch_alter_table("web_callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_callbacks_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_chats",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=True),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_chats")),
    )
    op.create_table(
        "web_commands",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("commands", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "language", name=op.f("pk_web_commands")),
    )
    op.create_table(
        "web_device_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_device_links")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_web_device_links_code_hash")),
    )
    op.create_table(
        "web_nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("township_code", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_nudges")),
    )
    with op.batch_alter_table("web_nudges", schema=None) as batch_op:
        batch_op.create_index("ix_web_nudges_status", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "web_files",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("file_unique_id", sa.String(length=32), nullable=False),
        sa.Column("file_path", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=128), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_web_files")),
        sa.UniqueConstraint("file_path", name=op.f("uq_web_files_file_path")),
    )
    op.create_table(
        "web_messages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("from_bot", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("html", sa.String(), nullable=True),
        sa.Column("keyboard", sa.JSON(), nullable=True),
        sa.Column("file_id", sa.String(length=64), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_web_messages")),
    )
    with op.batch_alter_table("web_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_messages_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_messages_file_id"), ["file_id"], unique=False)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_web_sessions_user", ["user_id"], unique=False)

    op.create_table(
        "web_signins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_signins")),
    )
    with op.batch_alter_table("web_signins", schema=None) as batch_op:
        batch_op.create_index("ix_web_signins_address_at", ["address", "at"], unique=False)

    op.create_table(
        "web_updates",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_web_updates")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "web_users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mobile", sa.String(length=16), nullable=True),
        sa.Column("page_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
    )


def downgrade() -> None:
    op.drop_table("web_users")
    op.drop_table("web_updates")
    with op.batch_alter_table("web_signins", schema=None) as batch_op:
        batch_op.drop_index("ix_web_signins_address_at")

    op.drop_table("web_signins")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_web_sessions_user")

    op.drop_table("web_sessions")
    with op.batch_alter_table("web_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_messages_file_id"))
        batch_op.drop_index(batch_op.f("ix_web_messages_changed_at"))

    op.drop_table("web_messages")
    op.drop_table("web_files")
    with op.batch_alter_table("web_nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_web_nudges_status")

    op.drop_table("web_nudges")
    op.drop_table("web_device_links")
    op.drop_table("web_commands")
    op.drop_table("web_chats")
    with op.batch_alter_table("web_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_callbacks_user_id"))

    op.drop_table("web_callbacks")

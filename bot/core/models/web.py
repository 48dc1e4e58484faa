"""The township's own Bot API server and web chat (`bot.web`): its chats, messages, files,
pending updates and callback queries, and the browsers signed in as members. Nothing here
is read by a feature except `web_sessions` (a secretary's list of a member's devices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base


class WebUser(Base):
    """A person of the web channel; its id is the Bot API user id the bot sees."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    # The mobile number the person chose to give, for the @mention of a group-robot nudge.
    mobile: Mapped[str | None] = mapped_column(String(16))
    # When a page of theirs last asked for messages: who is away gets a nudge.
    page_seen_at: Mapped[datetime | None] = mapped_column()
    # The invitation that signed this person in: it signs no other browser in.
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class WebChat(Base):
    __tablename__ = "web_chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(128))
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)


class WebMessage(Base):
    """A message as the Bot API returns it (`data`), from the bot or from a member."""

    __tablename__ = "web_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    from_bot: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Telegram HTML as the bot sent it (None: plain text), shown by the page after its own check.
    html: Mapped[str | None] = mapped_column(String)
    # The reply keyboard a bot message set (or {"remove_keyboard": true}).
    keyboard: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The document or photo it carries: a download is allowed to whoever sees the chat.
    file_id: Mapped[str | None] = mapped_column(String(64), index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every edit, so a page knows what changed since it last looked.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(index=True)


class WebUpdate(Base):
    """An update the bot has not confirmed yet (getUpdates offsets delete them)."""

    __tablename__ = "web_updates"
    # Ids are never reused, or a confirmed offset would swallow new updates.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    update_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()


class WebWebhook(Base):
    """How the bot takes its updates (one row): setWebhook's url (empty: getUpdates), its
    secret, the update types it wants, and the state of delivery to the webhook."""

    __tablename__ = "web_webhook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    url: Mapped[str] = mapped_column(String(2048), default="")
    secret_token: Mapped[str | None] = mapped_column(String(256))
    max_connections: Mapped[int] = mapped_column(Integer, default=40)
    # None: Telegram's default types.
    allowed_updates: Mapped[list[str] | None] = mapped_column(JSON)
    last_error_at: Mapped[datetime | None] = mapped_column()
    last_error_message: Mapped[str | None] = mapped_column(String(256))
    # The instance delivering now and until when (another takes over after it).
    delivering_by: Mapped[str | None] = mapped_column(String(64))
    delivering_until: Mapped[datetime | None] = mapped_column()


class WebCallback(Base):
    """A button press and the bot's answer (an alert or a toast) once it comes."""

    __tablename__ = "web_callbacks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()


class WebSend(Base):
    """A request the bot made with an idempotency key, and what it was answered: a repeat of
    the key gets the same answer instead of a second message (kept `KEEP_ANSWERS`)."""

    __tablename__ = "web_sends"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(32))
    # None until the first request's transaction ends (a repeat waits for it).
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class WebFile(Base):
    __tablename__ = "web_files"

    file_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_unique_id: Mapped[str] = mapped_column(String(32))
    file_path: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column()


class WebCommands(Base):
    """setMyCommands, per scope and language; the page shows them as the command menu."""

    __tablename__ = "web_commands"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    commands: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class WebSession(Base):
    """A browser signed in as a person: only a hash of its token is stored."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class WebDeviceLink(Base):
    """A one-time link a signed-in member opens on another device to sign it in too."""

    __tablename__ = "web_device_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class WebNudge(Base):
    """A short "you have new messages" through the township's group robot (WeCom or DingTalk),
    for a person away from the page: at most one waiting per person, sent at most once."""

    __tablename__ = "web_nudges"
    __table_args__ = (Index("ix_web_nudges_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    township_code: Mapped[str] = mapped_column(String(10))
    # pending, sending (claimed: never retried after a crash), sent, failed
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()


class WebSignIn(Base):
    """Every sign-in attempt, kept for the audit and for the rate limit."""

    __tablename__ = "web_signins"
    __table_args__ = (Index("ix_web_signins_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(BigInteger)


class WebPushKey(Base):
    """The deployment's VAPID key pair (one row): made once, never logged. The private key is
    the raw 32-byte scalar, the public key the uncompressed point, both base64url."""

    __tablename__ = "web_push_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    private_key: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column()


class WebPushSubscription(Base):
    """A browser's Web Push subscription, bound to the session (device) that registered it:
    it goes with that session's revocation, and the push service's 404 or 410."""

    __tablename__ = "web_push_subscriptions"
    __table_args__ = (
        Index("ix_web_push_subscriptions_user", "user_id"),
        Index("ix_web_push_subscriptions_session", "session_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    session_id: Mapped[int] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()


class WebPush(Base):
    """A "you have new messages" push to one subscription, for a person away from the page:
    at most one per subscription and absence, sent at most once (like `WebNudge`)."""

    __tablename__ = "web_pushes"
    __table_args__ = (Index("ix_web_pushes_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    # pending, sending (claimed: never retried after a crash), sent, failed, gone
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()

"""the worker's outbox, notifications, webhook subscriptions, calendar feeds, heartbeats

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

docs/adr/0014-worker-outbox.md: ``outbox_events`` are written in the transaction of the change
they report, once per agency that may learn of it; the worker makes ``outbox_messages`` of them
(one per channel and recipient, each with its idempotency key) and ``notifications`` (in the
desk), logs each delivery in ``delivery_attempts`` and reports itself in ``worker_heartbeats``.
Users get an e-mail address and their ``notification_preferences``; agencies their
``webhook_subscriptions``; users their revocable ``calendar_feeds``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"
OPEN_WHERE = "status IN ('issued', 'acknowledged')"
TABLES = (
    "outbox_events",
    "outbox_messages",
    "delivery_attempts",
    "notifications",
    "notification_preferences",
    "webhook_subscriptions",
    "calendar_feeds",
    "worker_heartbeats",
)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _serial() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    op.create_table(
        "outbox_events",
        sa.Column("id", _serial(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("agency_id", sa.String(63), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("topic", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("link", sa.String(200), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("expanded_at", _utc(), nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_events_key"),
    )
    op.create_index(
        "ix_outbox_events_unexpanded",
        "outbox_events",
        ["id"],
        sqlite_where=sa.text("expanded_at IS NULL"),
        postgresql_where=sa.text("expanded_at IS NULL"),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", _serial(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("event_id", _serial(), sa.ForeignKey("outbox_events.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("target", sa.String(40), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("delivered_at", _utc(), nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_messages_key"),
    )
    op.create_index("ix_outbox_messages_event_id", "outbox_messages", ["event_id"])
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", _serial(), primary_key=True, autoincrement=True),
        sa.Column("message_id", _serial(), sa.ForeignKey("outbox_messages.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("worker", sa.String(100), nullable=False),
    )
    op.create_index("ix_delivery_attempts_message_id", "delivery_attempts", ["message_id"])
    op.create_table(
        "notifications",
        sa.Column("id", _serial(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("event_id", _serial(), sa.ForeignKey("outbox_events.id"), nullable=False),
        sa.Column("topic", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False),
        sa.Column("link", sa.String(200), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("read_at", _utc(), nullable=True),
        sa.UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
    )
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "read_at", "id"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("topic", sa.String(20), primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("agency_id", sa.String(63), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("previous_secret", sa.String(200), nullable=True),
        sa.Column("previous_until", _utc(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
    )
    op.create_index("ix_webhook_subscriptions_agency_id", "webhook_subscriptions", ["agency_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.UniqueConstraint("token_digest", name="uq_calendar_feeds_token_digest"),
    )
    op.create_index("ix_calendar_feeds_user_id", "calendar_feeds", ["user_id"])
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker", sa.String(100), primary_key=True),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("beat_at", _utc(), nullable=False),
        sa.Column("swept_at", _utc(), nullable=True),
        sa.Column("sweep_seconds", sa.Float(), nullable=False),
        sa.Column("sweeps", sa.BigInteger(), nullable=False),
        sa.Column("lapses", sa.BigInteger(), nullable=False),
        sa.Column("reminders", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_instruments_open_due",
        "instruments",
        ["due_at"],
        sqlite_where=sa.text(OPEN_WHERE),
        postgresql_where=sa.text(OPEN_WHERE),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} TO {APP_ROLE}")
        op.execute(
            f"""DO $$ BEGIN
            EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                           current_schema());
            END $$"""
        )


def downgrade() -> None:
    op.drop_index("ix_instruments_open_due", table_name="instruments")
    for table in reversed(TABLES):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")

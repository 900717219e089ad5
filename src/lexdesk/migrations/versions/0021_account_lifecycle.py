"""account lifecycle

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01

The life of an account (docs/accounts.md): who made it (filled in from the audit trail for the
accounts made before), when a temporary one ends, the days it was last used and last enabled,
the day the sweep said it kept an inactive last administrator, and when it was removed; the
usernames freed by removed accounts, kept from reuse for a year; the one-time enrolment code
(its SHA-256) that a new account needs to set up its authenticator, and the login ticket that
used it; the last day an API token was used.

So that the first sweep after the upgrade disables only what is truly unused, an account's last
sign-in is read from its sessions (never deleted), and a live API token, whose use was never
noted, is counted as used on the day of the upgrade.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"
USER_COLUMNS = (
    ("created_by", sa.String(100)),
    ("ends_at", sa.DateTime(timezone=True)),
    ("last_active_on", sa.Date()),
    ("enabled_on", sa.Date()),
    ("inactivity_kept_on", sa.Date()),
    ("removed_at", sa.DateTime(timezone=True)),
)
# The first user.add entry of each account names who made it (an entry may since have been
# purged, after a year: then nobody is named).
CREATED_BY = """
UPDATE users SET created_by = (
    SELECT a.actor FROM audit_log a
    WHERE a.action = 'user.add' AND a.object_type = 'user' AND a.object_id = users.id
    ORDER BY a.seq LIMIT 1
)
"""
#: The day of each account's last sign-in, in UTC, as each database writes it.
LAST_SIGN_IN = {
    "sqlite": "UPDATE users SET last_active_on = (SELECT date(max(s.created_at))"
    " FROM sessions s WHERE s.user_id = users.id)",
    "postgresql": "UPDATE users SET last_active_on = (SELECT (max(s.created_at) AT TIME ZONE"
    " 'UTC')::date FROM sessions s WHERE s.user_id = users.id)",
}


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        for name, kind in USER_COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))
    op.execute(CREATED_BY)
    dialect = op.get_bind().dialect.name
    op.execute(LAST_SIGN_IN[dialect])
    op.create_table(
        "retired_usernames",
        sa.Column("username", sa.String(63), nullable=False),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_retired_usernames_user_id_users"
        ),
        sa.PrimaryKeyConstraint("username", "user_id", name="pk_retired_usernames"),
    )
    with op.batch_alter_table("credentials") as table:
        table.add_column(sa.Column("enrolment_digest", sa.String(64), nullable=True))
        table.add_column(sa.Column("enrolment_expires_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("login_tickets") as table:
        table.add_column(
            sa.Column("enrolling", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
    with op.batch_alter_table("api_tokens") as table:
        table.add_column(sa.Column("last_used_on", sa.Date(), nullable=True))
    today = datetime.now(UTC).date()
    op.get_bind().execute(
        sa.text("UPDATE api_tokens SET last_used_on = :today WHERE revoked_at IS NULL"),
        {"today": today},
    )
    if dialect == "postgresql":
        op.execute(f"GRANT SELECT, INSERT ON retired_usernames TO {APP_ROLE}")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as table:
        table.drop_column("last_used_on")
    with op.batch_alter_table("login_tickets") as table:
        table.drop_column("enrolling")
    with op.batch_alter_table("credentials") as table:
        table.drop_column("enrolment_expires_at")
        table.drop_column("enrolment_digest")
    op.drop_table("retired_usernames")
    with op.batch_alter_table("users") as table:
        for name, _ in reversed(USER_COLUMNS):
            table.drop_column(name)

"""failed sign-ins counted per client address

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

A failed sign-in keeps the client address it came from, and one with a name that is no
account is kept too (without an account), so that one address can be throttled before it
locks anyone out or sprays passwords across accounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures") as table:
        table.add_column(sa.Column("source", sa.String(100), nullable=False, server_default=""))
        table.alter_column("user_id", existing_type=sa.String(length=40), nullable=True)
        table.create_index("ix_login_failures_source_at", ["source", "at"])


def downgrade() -> None:
    op.execute("DELETE FROM login_failures WHERE user_id IS NULL")
    with op.batch_alter_table("login_failures") as table:
        table.drop_index("ix_login_failures_source_at")
        table.alter_column("user_id", existing_type=sa.String(length=40), nullable=False)
        table.drop_column("source")

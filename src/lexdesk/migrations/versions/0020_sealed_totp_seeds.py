"""room for sealed TOTP seeds

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30

A TOTP seed is kept sealed with AES-256-GCM (adapters/sealing.py), longer than the seed
itself. Seeds stored before are sealed at the user's next sign-in, or all at once by
``lexdesk keys rewrap``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as table:
        table.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=200)
        )


def downgrade() -> None:
    # A sealed seed does not fit the old column: open them first (not supported: re-enrol).
    with op.batch_alter_table("credentials") as table:
        table.alter_column(
            "totp_secret", existing_type=sa.String(length=200), type_=sa.String(length=64)
        )

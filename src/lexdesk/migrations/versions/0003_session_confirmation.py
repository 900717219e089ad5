"""session confirmation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

When the holder of a session last confirmed who they are (password and a fresh TOTP code):
privileged actions and credential changes ask for a confirmation at most 5 minutes old
(CJIS IA-11; ASVS 7.5.1; docs/api.md "Confirming it's you").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("confirmed_at")

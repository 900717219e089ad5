"""what the desk said about a refused form

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

A refused form is shown by GET like any other draft, with the desk's answer beside its values:
the errors by field, and for a determination the contradictions with the law. So no page is the
answer to a POST, a refusal included, and Back never posts again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("form_drafts") as table:
        table.add_column(sa.Column("said", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("form_drafts") as table:
        table.drop_column("said")

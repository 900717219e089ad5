"""instruments recorded from paper

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

An addressee that receives an instrument on paper from an agency that does not use the desk
records it (``recorded_by``: its own id); the issuer's copy is marked so until the issuer
confirms the record (``confirmed_at``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instruments") as table:
        table.add_column(sa.Column("recorded_by", sa.String(63), nullable=True))
        table.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        table.create_foreign_key(
            "fk_instruments_recorded_by_agencies", "agencies", ["recorded_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("instruments") as table:
        table.drop_constraint("fk_instruments_recorded_by_agencies", type_="foreignkey")
        table.drop_column("confirmed_at")
        table.drop_column("recorded_by")

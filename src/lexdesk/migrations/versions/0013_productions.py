"""productions: the records an answer released, Bates-numbered

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

One row per production (``domain.production``): the answer's ledger entry, the producing
agency, the recipients, the Bates range it holds in the agency's sequence, and the exhibits
frozen when it was made. A prefix's first numbers are unique, so two productions made at once
never share pages; on PostgreSQL the application may only read and add.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"


def upgrade() -> None:
    op.create_table(
        "productions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("release_id", sa.String(40), nullable=False),
        sa.Column("producer_agency_id", sa.String(63), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("bates_prefix", sa.String(20), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("exhibits", sa.JSON(), nullable=False),
        sa.Column("made_by", sa.String(63), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name="fk_productions_instrument_id_instruments"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name="fk_productions_release_id_releases"
        ),
        sa.ForeignKeyConstraint(
            ["producer_agency_id"],
            ["agencies.id"],
            name="fk_productions_producer_agency_id_agencies",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_productions"),
        sa.UniqueConstraint("instrument_id", name="uq_productions_instrument_id"),
        sa.UniqueConstraint("bates_prefix", "first_number", name="uq_productions_bates_first"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT ON productions TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("productions")

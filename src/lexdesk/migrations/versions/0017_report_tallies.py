"""transparency reports' daily tallies

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

Counts per agency, local day, transition and every dimension a report can use, kept up to an
event id, so that a report over a national record sums a few thousand rows instead of scanning
millions of events (docs/adr/0019).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KEYS = ("agency_id", "day", "transition", "kind", "warrant", "requester", "outcome", "rule")


def upgrade() -> None:
    op.create_table(
        "report_tallies",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("transition", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("warrant", sa.String(30), nullable=False),
        sa.Column("requester", sa.String(63), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("performed", sa.String(200), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("instruments", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEYS, "performed", "override", name="pk_report_tallies"),
    )
    op.create_table(
        "report_answer_times",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("performed", sa.String(200), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("micros", sa.BigInteger(), nullable=False),
        sa.Column("instruments", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "agency_id",
            "day",
            "kind",
            "outcome",
            "performed",
            "override",
            "micros",
            name="pk_report_answer_times",
        ),
    )
    op.create_table(
        "report_tally_marks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("through_event_id", sa.BigInteger(), nullable=False),
        sa.Column("seen_event_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_tally_marks"),
    )


def downgrade() -> None:
    op.drop_table("report_tally_marks")
    op.drop_table("report_answer_times")
    op.drop_table("report_tallies")

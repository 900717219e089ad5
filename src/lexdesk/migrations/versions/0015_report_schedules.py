"""transparency reports published on a schedule

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

An agency's administrator schedules a report: the worker publishes each closed period so many
days after it ends, as that administrator (docs/adr/0019). One schedule per agency and report;
the last attempt's time and, when it did not publish, why.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_schedules",
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("report_id", sa.String(63), nullable=False),
        sa.Column("delay_days", sa.Integer(), nullable=False),
        sa.Column("scheduled_by", sa.String(100), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_report_schedules_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("agency_id", "report_id", name="pk_report_schedules"),
        sa.CheckConstraint(
            "delay_days >= 0 AND delay_days <= 365", name="ck_report_schedules_delay"
        ),
    )


def downgrade() -> None:
    op.drop_table("report_schedules")

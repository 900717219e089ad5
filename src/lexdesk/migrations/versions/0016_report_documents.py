"""signed PDFs of published transparency reports

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

A published report is also a document: a PDF signed by the agency, made once, verifiable like
any other (docs/adr/0019). A document is now of an instrument or of a published report, never
both and never neither; a published report has one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.alter_column("instrument_id", existing_type=sa.String(40), nullable=True)
        table.add_column(sa.Column("published_report_id", sa.String(40), nullable=True))
        table.create_foreign_key(
            "fk_documents_published_report_id_published_reports",
            "published_reports",
            ["published_report_id"],
            ["id"],
        )
        table.create_unique_constraint("uq_documents_published_report_id", ["published_report_id"])
        table.create_check_constraint(
            "ck_documents_of_one_thing",
            "(instrument_id IS NULL) <> (published_report_id IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_constraint("ck_documents_of_one_thing", type_="check")
        table.drop_constraint("uq_documents_published_report_id", type_="unique")
        table.drop_constraint(
            "fk_documents_published_report_id_published_reports", type_="foreignkey"
        )
        table.drop_column("published_report_id")
        table.alter_column("instrument_id", existing_type=sa.String(40), nullable=False)

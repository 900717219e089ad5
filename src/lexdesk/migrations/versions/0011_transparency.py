"""published transparency reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

What an agency's administrator published of a transparency report (docs/adr/0019): the
definition's id and version, the period, the data watermark, the digest and the published
figures. Never changed once written: triggers refuse UPDATE and DELETE, and on PostgreSQL the
application's role may only read and add; a correction is the next edition, with a note.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER published_reports_no_{verb.lower()} BEFORE {verb} ON published_reports "
    f"BEGIN SELECT RAISE(ABORT, 'published_reports are immutable: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)
POSTGRES_PROTECTION = (
    """CREATE FUNCTION published_reports_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'published_reports are immutable: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER published_reports_immutable BEFORE UPDATE OR DELETE ON published_reports "
    "FOR EACH ROW EXECUTE FUNCTION published_reports_refuse_change()",
    f"GRANT SELECT, INSERT ON published_reports TO {APP_ROLE}",
)


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("report_id", sa.String(63), nullable=False),
        sa.Column("report_version", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("watermark_event_id", sa.BigInteger(), nullable=False),
        sa.Column("watermark_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_published_reports_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_published_reports"),
        sa.UniqueConstraint(
            "report_id", "agency_id", "period", "edition", name="uq_published_reports_edition"
        ),
    )
    op.create_index(
        "ix_published_reports_agency", "published_reports", ["agency_id", "published_at"]
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_PROTECTION if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER published_reports_immutable ON published_reports")
        op.execute("DROP FUNCTION published_reports_refuse_change()")
    op.drop_index("ix_published_reports_agency", "published_reports")
    op.drop_table("published_reports")

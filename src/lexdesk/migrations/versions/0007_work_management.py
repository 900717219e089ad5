"""work management: assignments and case notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

docs/adr/0017-work-management.md: who of an agency works an instrument or a case
(``assignments``, one row per object and agency, replaced on reassignment) and an agency's own
notes on a case (``case_notes``), which are added and never changed: triggers refuse UPDATE and
DELETE on both databases, and on PostgreSQL the application's role may only SELECT and INSERT.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER case_notes_no_{verb.lower()} BEFORE {verb} ON case_notes "
    f"BEGIN SELECT RAISE(ABORT, 'case_notes are append-only: {verb} refused'); END"
    for verb in ("UPDATE", "DELETE")
)
POSTGRES_PROTECTION = (
    """CREATE FUNCTION case_notes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'case_notes are append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER case_notes_append_only BEFORE UPDATE OR DELETE ON case_notes "
    "FOR EACH ROW EXECUTE FUNCTION case_notes_refuse_change()",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON assignments TO {APP_ROLE}",
    f"GRANT SELECT, INSERT ON case_notes TO {APP_ROLE}",
)


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("object_id", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("assignee_id", sa.String(40), nullable=False),
        sa.Column("assigned_by", sa.String(100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_assignments_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name="fk_assignments_assignee_id_users"
        ),
        sa.PrimaryKeyConstraint("object_type", "object_id", "agency_id", name="pk_assignments"),
    )
    op.create_index("ix_assignments_assignee", "assignments", ["agency_id", "assignee_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("agency_id", sa.String(63), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_notes_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_case_notes_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
    )
    op.create_index("ix_case_notes_case_agency", "case_notes", ["case_id", "agency_id", "at"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_PROTECTION if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_notes_append_only ON case_notes")
        op.execute("DROP FUNCTION case_notes_refuse_change()")
    op.drop_index("ix_case_notes_case_agency", "case_notes")
    op.drop_table("case_notes")
    op.drop_index("ix_assignments_assignee", "assignments")
    op.drop_table("assignments")

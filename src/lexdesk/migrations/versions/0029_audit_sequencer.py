"""audit entries submitted by their transactions and chained by the sequencer

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01

A transaction no longer holds the chain's lock while it works: it submits its entries to
``audit_pending``, which commits with it, and the sequencer (``adapters.audit_repository``)
gives them their places and hashes in batches, moving each into ``audit_log`` with the id of
its submission (``submitted``). docs/adr/0029-audit-sequencer.md.

The queue is guarded as the chain is: no submission is changed, and one leaves the queue only
once its entry, naming it, is in the chain; TRUNCATE is refused. ``submitted`` is added with
ADD COLUMN (nullable, no default): the log is not rewritten, and its triggers stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"

SQLITE_GUARD = (
    "CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending "
    "BEGIN SELECT RAISE(ABORT, 'audit_pending is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_pending_leaves_chained BEFORE DELETE ON audit_pending "
    "WHEN NOT EXISTS (SELECT 1 FROM audit_log WHERE submitted = OLD.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_pending: an entry leaves only once chained'); END",
)

POSTGRES_GUARD = (
    """CREATE FUNCTION audit_pending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND EXISTS (SELECT 1 FROM audit_log WHERE submitted = OLD.id) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_pending: % refused (an entry leaves only once chained)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER audit_pending_guarded BEFORE UPDATE OR DELETE ON audit_pending "
    "FOR EACH ROW EXECUTE FUNCTION audit_pending_guard()",
    "CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_pending_guard()",
    f"GRANT SELECT, INSERT, DELETE ON audit_pending TO {APP_ROLE}",
    f"""DO $$ BEGIN
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                       current_schema());
    END $$""",
)


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("submitted", sa.BigInteger(), nullable=True))
    op.create_index(
        "ux_audit_log_submitted",
        "audit_log",
        ["submitted"],
        unique=True,
        postgresql_where=sa.text("submitted IS NOT NULL"),
        sqlite_where=sa.text("submitted IS NOT NULL"),
    )
    op.create_table(
        "audit_pending",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(63), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("component", sa.String(20), nullable=False),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("receiving_agency", sa.String(63), nullable=False),
        # Never reuse a deleted row's id on SQLite: ``submitted`` names one submission only.
        sqlite_autoincrement=True,
    )
    guard = POSTGRES_GUARD if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARD
    for statement in guard:
        op.execute(statement)


def downgrade() -> None:
    db = op.get_bind()
    waiting = db.scalar(sa.text("SELECT count(*) FROM audit_pending"))
    if waiting:
        # Dropping the queue would drop entries of the record: chain them first.
        raise RuntimeError(
            f"{waiting} audit entries wait to be chained: run `lexdesk audit verify`, which"
            " chains them, then downgrade"
        )
    op.execute("DROP TABLE audit_pending")
    if db.dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_pending_guard()")
    op.drop_index("ux_audit_log_submitted", table_name="audit_log")
    op.drop_column("audit_log", "submitted")

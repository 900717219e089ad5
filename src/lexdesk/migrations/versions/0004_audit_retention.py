"""audit retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Purging the oldest audit entries (CJIS AU-11; docs/adr/0003-audit-trail.md "Retention"): the
table ``audit_anchors`` records where the chain starts after a purge, and the append-only
triggers let a DELETE through only for entries that an anchor covers, and on PostgreSQL only
inside ``audit_log_purge(seq)``, a SECURITY DEFINER function that nobody but the owner may run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APP_ROLE = "lexdesk_app"
# ``lexdesk.audit_purge`` is set to 'on', transaction-locally, only by ``audit_log_purge``;
# the trigger lets a DELETE through only while it is on, and only for anchored entries.

SQLITE_DELETE_TRIGGER = (
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.seq > (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"
)
SQLITE_OLD_DELETE_TRIGGER = (
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END"
)

POSTGRES_PURGE = (
    """CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('lexdesk.audit_purge', true) = 'on'
           AND OLD.seq <= (SELECT coalesce(max(seq), 0) FROM audit_anchors) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE FUNCTION audit_log_purge(through_seq bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    DECLARE purged bigint;
    BEGIN
        IF NOT EXISTS (SELECT FROM audit_anchors WHERE seq = through_seq) THEN
            RAISE EXCEPTION 'no anchor recorded at seq %: purge with lexdesk audit purge',
                through_seq USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM set_config('lexdesk.audit_purge', 'on', true);
        DELETE FROM audit_log WHERE seq <= through_seq;
        GET DIAGNOSTICS purged = ROW_COUNT;
        PERFORM set_config('lexdesk.audit_purge', '', true);
        RETURN purged;
    END $$""",
    "REVOKE ALL ON FUNCTION audit_log_purge(bigint) FROM PUBLIC",
    f"GRANT SELECT ON audit_anchors TO {APP_ROLE}",
)

POSTGRES_UNDO = (
    "DROP FUNCTION audit_log_purge(bigint)",
    """CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
)


def upgrade() -> None:
    op.create_table(
        "audit_anchors",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_anchors")),
    )
    if _is_postgres():
        for statement in POSTGRES_PURGE:
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute(SQLITE_DELETE_TRIGGER)


def downgrade() -> None:
    if _is_postgres():
        for statement in POSTGRES_UNDO:
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute(SQLITE_OLD_DELETE_TRIGGER)
    op.drop_table("audit_anchors")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"

"""where an audit entry came in, its client and its receiving agency

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01

CJIS AU-3 asks where an event happened and from what source, and the III log "the authorized
receiving agency". Entries written before keep empty values, and their hashes: the chain hashes
these fields only where they are set (``domain.audit.canonical_encoding``). Plain ADD COLUMN, not
a batch rebuild: the table's append-only triggers stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = (("component", 20), ("client", 200), ("receiving_agency", 63))


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column(
            "audit_log",
            sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
        )


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("audit_log", name)

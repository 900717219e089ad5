"""indexes that walk a list sorted by kind or by status, a page at a time

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-01

A list sorted by kind or by status (``queries.desk_lists``) is read value by value, each
value's rows soonest due first and then by id: one index's walk for each, on each side of the
desk, rather than an ordering of the agency's whole list for every page. The inboxes' indexes
by status and due date gain the instrument's id, which breaks their ties; two new ones do the
same by kind. Plain indexes on both databases: nothing else changes.
"""

from __future__ import annotations

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

#: name, columns before, columns after (None: the index is new).
INDEXES: tuple[tuple[str, list[str] | None, list[str]], ...] = (
    (
        "ix_instruments_addressee_inbox",
        ["addressee_agency_id", "status", "due_at"],
        ["addressee_agency_id", "status", "due_at", "id"],
    ),
    (
        "ix_instruments_issuer_outbox",
        ["issuer_agency_id", "issuer_status", "issuer_due_at"],
        ["issuer_agency_id", "issuer_status", "issuer_due_at", "id"],
    ),
    ("ix_instruments_addressee_kind", None, ["addressee_agency_id", "kind", "due_at", "id"]),
    ("ix_instruments_issuer_kind", None, ["issuer_agency_id", "kind", "issuer_due_at", "id"]),
)


def upgrade() -> None:
    for name, before, after in INDEXES:
        if before is not None:
            op.drop_index(name, table_name="instruments")
        op.create_index(name, "instruments", after)


def downgrade() -> None:
    for name, before, _ in reversed(INDEXES):
        op.drop_index(name, table_name="instruments")
        if before is not None:
            op.create_index(name, "instruments", before)

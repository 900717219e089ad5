"""indexes that walk the desk's lists in their order, a page at a time

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01

The web lists are keyset pages (``queries.desk_lists``): each part of a list's order is read by
walking one index from the cursor, so a page costs the same at the first row and at the
millionth. The open instruments by due date, on each side of the desk (the addressee's own
status and clock; the issuer's view of them, ``issuer_status`` and ``issuer_due_at``); every
instrument of a side by the time it was issued, and by its due date; an agency's cases newest
first whatever their status (the API's case list); and each custodian's people due for release
soon, for its list of releases within 48 hours. Plain indexes on both databases: nothing else
changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OPEN = "('issued', 'acknowledged')"
#: name, table, columns, and the rows it covers (None: all of them).
INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    (
        "ix_instruments_addressee_open_due",
        "instruments",
        ["addressee_agency_id", "due_at", "id"],
        f"status IN {OPEN}",
    ),
    (
        "ix_instruments_issuer_open_due",
        "instruments",
        ["issuer_agency_id", "issuer_due_at", "id"],
        f"issuer_status IN {OPEN}",
    ),
    (
        "ix_instruments_addressee_issued",
        "instruments",
        ["addressee_agency_id", "issued_at", "id"],
        None,
    ),
    ("ix_instruments_issuer_issued", "instruments", ["issuer_agency_id", "issued_at", "id"], None),
    ("ix_instruments_addressee_due", "instruments", ["addressee_agency_id", "due_at", "id"], None),
    (
        "ix_instruments_issuer_due",
        "instruments",
        ["issuer_agency_id", "issuer_due_at", "id"],
        None,
    ),
    ("ix_case_parties_newest", "case_parties", ["agency_id", "opened_at", "case_id"], None),
    (
        "ix_custodies_release_soon",
        "custodies",
        ["agency_id", "expected_release_at"],
        "status = 'in_custody'",
    ),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        covers = sa.text(where) if where else None
        op.create_index(name, table, columns, sqlite_where=covers, postgresql_where=covers)


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)

"""the recipients of a person's releases, found by the person

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01

Every read of an instrument, a case or a person asks the disclosure ledger what was released
about that person and to whom (``LedgerRepository.about``). The releases had an index on the
person; their recipients only one led by the agency, so that read scanned every recipient row:
100 ms and more at 3,000,000 instruments (815,734 rows), on every audited read of the desk.
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_release_recipients_person_id", "release_recipients", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_release_recipients_person_id", table_name="release_recipients")

"""what users typed, sealed at rest: form drafts and saved searches

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01

A form's draft holds what its user typed until the form is sent (a booking form: a person's
names, date of birth, identifiers), and what the desk answered a refused one; a saved search
holds what was searched, often a name. Both are kept for days (``services.work``'s retention),
and both are now sealed with their row's id (``adapters.work_repository``). As 0026, existing
rows are sealed with the key ``lexdesk db upgrade`` hands over.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from lexdesk.adapters.migrations import handed_sealer
from lexdesk.adapters.sealing import Sealer

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

drafts = sa.table(
    "form_drafts", sa.column("id", sa.String), sa.column("fields", sa.Text),
    sa.column("said", sa.Text),
)  # fmt: skip
searches = sa.table("saved_searches", sa.column("id", sa.String), sa.column("text", sa.Text))


def upgrade() -> None:
    with op.batch_alter_table("form_drafts") as batch:
        batch.alter_column("fields", existing_type=sa.JSON(), type_=sa.Text(),
                           postgresql_using="fields::text")  # fmt: skip
        batch.alter_column("said", existing_type=sa.JSON(), type_=sa.Text(),
                           postgresql_using="said::text")  # fmt: skip
    with op.batch_alter_table("saved_searches") as batch:
        batch.alter_column("text", existing_type=sa.String(200), type_=sa.Text())
    _rewrite(lambda sealer, value, row: sealer.seal(value, row))


def downgrade() -> None:
    _rewrite(lambda sealer, value, row: sealer.open(value, row))
    with op.batch_alter_table("saved_searches") as batch:
        batch.alter_column("text", existing_type=sa.Text(), type_=sa.String(200))
    with op.batch_alter_table("form_drafts") as batch:
        batch.alter_column("fields", existing_type=sa.Text(), type_=sa.JSON(),
                           postgresql_using="fields::json")  # fmt: skip
        batch.alter_column("said", existing_type=sa.Text(), type_=sa.JSON(),
                           postgresql_using="said::json")  # fmt: skip


def _rewrite(change: Any) -> None:
    db = op.get_bind()
    found = list(db.execute(sa.select(drafts))), list(db.execute(sa.select(searches)))
    if not any(found):
        return
    sealer = _sealer()
    for row in found[0]:
        said = row.said if row.said not in (None, "null") else None
        db.execute(
            sa.update(drafts)
            .where(drafts.c.id == row.id)
            .values(
                fields=change(sealer, row.fields, row.id),
                said=None if said is None else change(sealer, said, row.id),
            )
        )
    for row in found[1]:
        text = change(sealer, row.text, row.id)
        db.execute(sa.update(searches).where(searches.c.id == row.id).values(text=text))


def _sealer() -> Sealer:
    return handed_sealer("0028", "drafts or searches")

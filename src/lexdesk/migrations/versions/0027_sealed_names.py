"""people's names and cases' subjects sealed at rest, found by a blind index

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01

A person's family and given names leave their clear columns for one value sealed with the
person's id (``persons.name``); a case's subject, the person as the requester named them, is
sealed with the case's id (``cases.subject``). Both are found by a blind index: keyed digests
(64-bit integers) of each word of the name and of its beginnings of three to eight letters (a
word with a digit in it, an identifier, whole), the custodian's in ``person_terms`` and the
requester's in ``case_terms`` (``adapters.person_records``). No list is in the order of names
any more: a database cannot sort what it cannot read.
docs/adr/0027-sealed-person-records.md.

As 0026, existing rows are sealed with the key that ``lexdesk db upgrade`` hands over; the word
rules below are this revision's, copied on purpose.
"""

from __future__ import annotations

import json
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

from lexdesk.adapters.migrations import handed_sealer
from lexdesk.adapters.sealing import Sealer

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

BATCH = 1_000
WORD = re.compile(r"[^\W_]+")

persons = sa.table(
    "persons", sa.column("id", sa.String), sa.column("owner_agency_id", sa.String),
    sa.column("family_name", sa.String), sa.column("given_name", sa.String),
    sa.column("name", sa.Text),
)  # fmt: skip
cases = sa.table(
    "cases", sa.column("id", sa.String), sa.column("requesting_agency_id", sa.String),
    sa.column("subject", sa.Text),
)  # fmt: skip
person_terms = sa.table(
    "person_terms", sa.column("owner_agency_id", sa.String), sa.column("term", sa.BigInteger),
    sa.column("person_id", sa.String),
)  # fmt: skip
case_terms = sa.table(
    "case_terms", sa.column("agency_id", sa.String), sa.column("term", sa.BigInteger),
    sa.column("case_id", sa.String),
)  # fmt: skip
WALL = (
    ("person_terms", "owner_agency_id = lexdesk_acting()"),
    ("case_terms", "agency_id = lexdesk_acting()"),
)


def upgrade() -> None:
    op.create_table(
        "person_terms",
        sa.Column("owner_agency_id", sa.String(63), sa.ForeignKey("agencies.id"),
                  primary_key=True),
        sa.Column("term", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("person_id", sa.String(40),
                  sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    )  # fmt: skip
    op.create_index("ix_person_terms_person_id", "person_terms", ["person_id"])
    op.create_table(
        "case_terms",
        sa.Column("agency_id", sa.String(63), sa.ForeignKey("agencies.id"), primary_key=True),
        sa.Column("term", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, clause in WALL:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY agency_wall ON {table} "
                f"USING (lexdesk_acting() = '*' OR {clause}) WITH CHECK (true)"
            )
            op.execute(f"GRANT SELECT, INSERT, DELETE ON {table} TO lexdesk_app")
    op.add_column("persons", sa.Column("name", sa.Text(), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("subject", existing_type=sa.String(200), type_=sa.Text(),
                           server_default=None)  # fmt: skip
    db = op.get_bind()
    if db.scalar(sa.select(sa.func.count()).select_from(persons)):
        _seal(db, _sealer())
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("family_name")
        batch.drop_column("given_name")
        batch.alter_column("name", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("family_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("given_name", sa.String(200), nullable=True))
    db = op.get_bind()
    if db.scalar(sa.select(sa.func.count()).select_from(persons)):
        _open(db, _sealer())
    with op.batch_alter_table("persons") as batch:
        batch.alter_column("family_name", existing_type=sa.String(200), nullable=False)
        batch.alter_column("given_name", existing_type=sa.String(200), nullable=False)
        batch.drop_column("name")
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("subject", existing_type=sa.Text(), type_=sa.String(200),
                           server_default="")  # fmt: skip
    op.drop_table("case_terms")
    op.drop_index("ix_person_terms_person_id", table_name="person_terms")
    op.drop_table("person_terms")


def _sealer() -> Sealer:
    return handed_sealer("0027", "people's names")


def _terms(sealer: Sealer, *names: str) -> set[int]:
    found: set[str] = set()
    for name in names:
        plain = unicodedata.normalize("NFKD", name.casefold())
        bare = "".join(ch for ch in plain if not unicodedata.combining(ch))
        for word in WORD.findall(bare):
            found.add(word)
            if word.isalpha():
                found.update(word[:n] for n in range(3, min(len(word), 8) + 1))
    return {sealer.term(f"name:{term}") for term in found}


def _seal(db: sa.Connection, sealer: Sealer) -> None:
    last = ""
    while rows := list(
        db.execute(
            sa.select(persons).where(persons.c.id > last).order_by(persons.c.id).limit(BATCH)
        )
    ):
        for row in rows:
            name = sealer.seal(json.dumps([row.family_name, row.given_name]), row.id)
            db.execute(sa.update(persons).where(persons.c.id == row.id).values(name=name))
            entries = [
                {"owner_agency_id": row.owner_agency_id, "term": t, "person_id": row.id}
                for t in _terms(sealer, row.family_name, row.given_name)
            ]
            if entries:
                db.execute(sa.insert(person_terms), entries)
        last = rows[-1].id
    last, page = "", sa.select(cases).order_by(cases.c.id).limit(BATCH)
    while rows := list(db.execute(page.where(cases.c.id > last))):
        for row in rows:
            subject = sealer.seal(row.subject, row.id)
            db.execute(sa.update(cases).where(cases.c.id == row.id).values(subject=subject))
            entries = [
                {"agency_id": row.requesting_agency_id, "term": t, "case_id": row.id}
                for t in _terms(sealer, row.subject)
            ]
            if entries:
                db.execute(sa.insert(case_terms), entries)
        last = rows[-1].id


def _open(db: sa.Connection, sealer: Sealer) -> None:
    for row in list(db.execute(sa.select(persons.c.id, persons.c.name))):
        family, given = json.loads(sealer.open(row.name, row.id))
        db.execute(
            sa.update(persons)
            .where(persons.c.id == row.id)
            .values(family_name=family, given_name=given)
        )
    for row in list(db.execute(sa.select(cases.c.id, cases.c.subject))):
        subject = sealer.open(row.subject, row.id)
        db.execute(sa.update(cases).where(cases.c.id == row.id).values(subject=subject))

"""a person's record sealed at rest, its identifiers found by a keyed digest

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01

What a custodian knows of a person, beyond the names, leaves the clear columns: the date and
place of birth, citizenship, facts, record, public information and convictions become one value
sealed with the person's id (``persons.sealed``); the arrest date and the charges of a custody
one sealed with the custody's id (``custodies.sealed``); each identifier's value is sealed with
its person and scheme, and found and kept unique by a keyed digest of scheme and value
(``person_identifiers.digest``). The tables of convictions and charges go: they are read only
with their person. A determination's evaluation (the rule engine's record, whose inputs and
explanation tell the person's history) is sealed with its instrument's id; the rule it applied
to the first requested action, which the transparency reports tally, stays clear beside it
(``determinations.deciding_rule``). The values each release carried are sealed with a key of
the release's own (``releases.fields``), and that key with the ring (``release_keys``): the
ledger's rows never change after this, and a rotation re-seals the keys.
docs/adr/0027-sealed-person-records.md.

Existing rows are sealed here with the key the desk is configured with, which ``lexdesk db
upgrade`` (and ``init``, ``demo``, ``restore``) hand to the migration; one without a key refuses
to touch a database that holds people. The shapes below are this revision's, copied on purpose:
``adapters.person_records`` may change after it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from lexdesk.adapters.migrations import handed_sealer
from lexdesk.adapters.sealing import Sealer

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BATCH = 1_000

persons = sa.table(
    "persons", sa.column("id", sa.String), sa.column("date_of_birth", sa.Date),
    sa.column("place_of_birth", sa.String), sa.column("citizenship", sa.String),
    sa.column("facts", sa.JSON), sa.column("record", sa.JSON),
    sa.column("public_information", sa.JSON), sa.column("sealed", sa.Text),
)  # fmt: skip
convictions = sa.table(
    "convictions", sa.column("id", sa.Integer), sa.column("person_id", sa.String),
    sa.column("offense", sa.String), sa.column("offense_class", sa.String),
    sa.column("convicted_on", sa.Date), sa.column("sentence", sa.String),
    sa.column("released_on", sa.Date), sa.column("youthful_offender", sa.Boolean),
)  # fmt: skip
custodies = sa.table(
    "custodies", sa.column("id", sa.String), sa.column("arrested_on", sa.Date),
    sa.column("sealed", sa.Text),
)  # fmt: skip
charges = sa.table(
    "charges", sa.column("id", sa.Integer), sa.column("custody_id", sa.String),
    sa.column("offense", sa.String), sa.column("offense_class", sa.String),
    sa.column("charged_on", sa.Date), sa.column("status", sa.String),
    sa.column("probable_cause_found", sa.Boolean),
)  # fmt: skip
determinations = sa.table(
    "determinations", sa.column("instrument_id", sa.String), sa.column("evaluation", sa.Text),
    sa.column("deciding_rule", sa.String),
)  # fmt: skip
releases = sa.table("releases", sa.column("id", sa.String), sa.column("fields", sa.Text))
release_keys = sa.table(
    "release_keys", sa.column("release_id", sa.String), sa.column("sealed_key", sa.Text)
)
#: The ledger's guards (migration 0005), lifted while this migration seals its rows in place.
SQLITE_LEDGER = {
    f"releases_no_{verb.lower()}": (
        f"CREATE TRIGGER releases_no_{verb.lower()} BEFORE {verb} ON releases "
        f"BEGIN SELECT RAISE(ABORT, 'releases is a ledger: {verb} refused'); END"
    )
    for verb in ("UPDATE", "DELETE")
}
RELEASE_KEYS_WALL = (
    "ALTER TABLE release_keys ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE release_keys FORCE ROW LEVEL SECURITY",
    "CREATE POLICY agency_wall ON release_keys USING (lexdesk_acting() = '*' OR "
    "EXISTS (SELECT 1 FROM releases r WHERE r.id = release_id)) WITH CHECK (true)",
    # Added with each release, re-sealed by a rotation; never removed.
    "GRANT SELECT, INSERT, UPDATE ON release_keys TO lexdesk_app",
)
instruments = sa.table("instruments", sa.column("id", sa.String), sa.column("actions", sa.JSON))
identifiers = sa.table(
    "person_identifiers", sa.column("id", sa.Integer), sa.column("person_id", sa.String),
    sa.column("scheme", sa.String), sa.column("value", sa.Text), sa.column("digest", sa.String),
)  # fmt: skip

PERSON_FIELDS = ("date_of_birth", "place_of_birth", "citizenship", "facts", "record",
                 "public_information")  # fmt: skip
CONVICTION = ("offense", "offense_class", "convicted_on", "sentence", "released_on",
              "youthful_offender")  # fmt: skip
CHARGE = ("offense", "offense_class", "charged_on", "status", "probable_cause_found")


def upgrade() -> None:
    op.add_column("persons", sa.Column("sealed", sa.Text(), nullable=True))
    op.add_column("custodies", sa.Column("sealed", sa.Text(), nullable=True))
    op.add_column("person_identifiers", sa.Column("digest", sa.String(32), nullable=True))
    op.add_column("determinations", sa.Column("deciding_rule", sa.String(200), nullable=True))
    with op.batch_alter_table("determinations") as batch:
        batch.alter_column("evaluation", existing_type=sa.JSON(), type_=sa.Text(),
                           postgresql_using="evaluation::text")  # fmt: skip
    op.create_table(
        "release_keys",
        sa.Column("release_id", sa.String(40), sa.ForeignKey("releases.id"), primary_key=True),
        sa.Column("sealed_key", sa.Text(), nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in RELEASE_KEYS_WALL if postgres else ():
        op.execute(statement)
    with _ledger_open():
        with op.batch_alter_table("releases") as batch:
            batch.alter_column("fields", existing_type=sa.JSON(), type_=sa.Text(),
                               postgresql_using="fields::text")  # fmt: skip
        db = op.get_bind()
        if db.scalar(sa.select(sa.func.count()).select_from(releases)):
            _seal_releases(db, _sealer())
    if db.scalar(sa.select(sa.func.count()).select_from(persons)):
        _seal_rows(db, _sealer())
        _seal_evaluations(db, _sealer())
    with op.batch_alter_table("persons") as batch:
        for name in PERSON_FIELDS:
            batch.drop_column(name)
        batch.alter_column("sealed", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("custodies") as batch:
        batch.drop_column("arrested_on")
        batch.alter_column("sealed", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("person_identifiers") as batch:
        batch.drop_constraint("uq_person_identifiers_owner_scheme_value", type_="unique")
        batch.alter_column("value", existing_type=sa.String(100), type_=sa.Text())
        batch.alter_column("digest", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint(
            "uq_person_identifiers_owner_scheme_digest", ["owner_agency_id", "scheme", "digest"]
        )
    op.drop_table("charges")
    op.drop_table("convictions")


def downgrade() -> None:
    op.create_table(
        "convictions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("persons.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("offense", sa.String(60), nullable=False),
        sa.Column("offense_class", sa.String(20), nullable=False),
        sa.Column("convicted_on", sa.Date(), nullable=False),
        sa.Column("sentence", sa.String(200), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("youthful_offender", sa.Boolean(), nullable=False,
                  server_default=sa.text("false")),
    )  # fmt: skip
    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("custody_id", sa.String(40),
                  sa.ForeignKey("custodies.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("offense", sa.String(60), nullable=False),
        sa.Column("offense_class", sa.String(20), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("probable_cause_found", sa.Boolean(), nullable=False,
                  server_default=sa.text("false")),
    )  # fmt: skip
    _wall_again()
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch.add_column(sa.Column("place_of_birth", sa.String(200), server_default=""))
        batch.add_column(sa.Column("citizenship", sa.String(100), server_default=""))
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("record", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("public_information", sa.JSON(), nullable=True))
    op.add_column("custodies", sa.Column("arrested_on", sa.Date(), nullable=True))
    db = op.get_bind()
    if db.scalar(sa.select(sa.func.count()).select_from(persons)):
        _open_rows(db, _sealer())
        _open_evaluations(db, _sealer())
    with _ledger_open():
        if db.scalar(sa.select(sa.func.count()).select_from(releases)):
            _open_releases(db, _sealer())
        with op.batch_alter_table("releases") as batch:
            batch.alter_column("fields", existing_type=sa.Text(), type_=sa.JSON(),
                               postgresql_using="fields::json")  # fmt: skip
    op.drop_table("release_keys")
    with op.batch_alter_table("determinations") as batch:
        batch.drop_column("deciding_rule")
        batch.alter_column("evaluation", existing_type=sa.Text(), type_=sa.JSON(),
                           postgresql_using="evaluation::json")  # fmt: skip
    with op.batch_alter_table("persons") as batch:
        for name in ("place_of_birth", "citizenship"):
            batch.alter_column(name, existing_type=sa.String(), server_default=None,
                               nullable=False)  # fmt: skip
        for name in ("facts", "record", "public_information"):
            batch.alter_column(name, existing_type=sa.JSON(), nullable=False)
        batch.drop_column("sealed")
    with op.batch_alter_table("custodies") as batch:
        batch.alter_column("arrested_on", existing_type=sa.Date(), nullable=False)
        batch.drop_column("sealed")
    with op.batch_alter_table("person_identifiers") as batch:
        batch.drop_constraint("uq_person_identifiers_owner_scheme_digest", type_="unique")
        batch.drop_column("digest")
        batch.alter_column("value", existing_type=sa.Text(), type_=sa.String(100))
        batch.create_unique_constraint(
            "uq_person_identifiers_owner_scheme_value", ["owner_agency_id", "scheme", "value"]
        )


def _sealer() -> Sealer:
    return handed_sealer("0026", "people's records")


def _pages(db: sa.Connection, table: Any, key: Any) -> Iterator[list[Any]]:
    """Every row of ``table`` a page at a time, in ``key`` order (a keyset walk)."""
    last: Any = None
    while True:
        query = sa.select(table).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = list(db.execute(query))
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.name)


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _seal_rows(db: sa.Connection, sealer: Sealer) -> None:
    for page in _pages(db, persons, persons.c.id):
        ids = [row.id for row in page]
        held: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in db.execute(
            sa.select(convictions)
            .where(convictions.c.person_id.in_(ids))
            .order_by(convictions.c.id)
        ):
            held[c.person_id].append(
                {**{name: getattr(c, name) for name in CONVICTION},
                 "convicted_on": _day(c.convicted_on), "released_on": _day(c.released_on)}
            )  # fmt: skip
        for row in page:
            body = {
                **{name: getattr(row, name) for name in PERSON_FIELDS},
                "date_of_birth": _day(row.date_of_birth),
                "convictions": held[row.id],
            }
            sealed = sealer.seal(json.dumps(body, separators=(",", ":")), row.id)
            db.execute(sa.update(persons).where(persons.c.id == row.id).values(sealed=sealed))
    for page in _pages(db, custodies, custodies.c.id):
        ids = [row.id for row in page]
        of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in db.execute(
            sa.select(charges).where(charges.c.custody_id.in_(ids)).order_by(charges.c.id)
        ):
            of[c.custody_id].append(
                {**{name: getattr(c, name) for name in CHARGE}, "charged_on": _day(c.charged_on)}
            )
        for row in page:
            body = {"arrested_on": _day(row.arrested_on), "charges": of[row.id]}
            sealed = sealer.seal(json.dumps(body, separators=(",", ":")), row.id)
            db.execute(sa.update(custodies).where(custodies.c.id == row.id).values(sealed=sealed))
    for page in _pages(db, identifiers, identifiers.c.id):
        for row in page:
            db.execute(
                sa.update(identifiers)
                .where(identifiers.c.id == row.id)
                .values(
                    digest=sealer.digest(f"{row.scheme}:{row.value}"),
                    value=sealer.seal(row.value, f"{row.person_id}/{row.scheme}"),
                )
            )


def _seal_evaluations(db: sa.Connection, sealer: Sealer) -> None:
    for page in _pages(db, determinations, determinations.c.instrument_id):
        ids = [row.instrument_id for row in page if row.evaluation is not None]
        query = sa.select(instruments.c.id, instruments.c.actions)
        actions = dict(list(db.execute(query.where(instruments.c.id.in_(ids))).tuples()))
        for row in page:
            if row.evaluation is None or row.evaluation == "null":
                continue
            record = json.loads(row.evaluation)
            first = (actions.get(row.instrument_id) or [None])[0]
            chosen = record.get("result", {}).get("actions", {}).get(first) or {}
            rule = chosen.get("rule") if isinstance(chosen, dict) else None
            db.execute(
                sa.update(determinations)
                .where(determinations.c.instrument_id == row.instrument_id)
                .values(
                    evaluation=sealer.seal(row.evaluation, row.instrument_id),
                    deciding_rule=None if rule is None else str(rule),
                )
            )


def _open_evaluations(db: sa.Connection, sealer: Sealer) -> None:
    for page in _pages(db, determinations, determinations.c.instrument_id):
        for row in page:
            if row.evaluation is not None:
                opened = sealer.open(row.evaluation, row.instrument_id)
                db.execute(
                    sa.update(determinations)
                    .where(determinations.c.instrument_id == row.instrument_id)
                    .values(evaluation=opened)
                )


@contextmanager
def _ledger_open() -> Iterator[None]:
    """The ledger's rows writable for the length of the block (the schema's owner only)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE releases DISABLE TRIGGER releases_append_only")
        yield
        op.execute("ALTER TABLE releases ENABLE TRIGGER releases_append_only")
        return
    # SQLite: copying the table in batch mode drops its triggers anyway; made again after.
    for name in SQLITE_LEDGER:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    for statement in SQLITE_LEDGER.values():
        op.execute(statement)


def _seal_releases(db: sa.Connection, sealer: Sealer) -> None:
    for page in _pages(db, releases, releases.c.id):
        for row in page:
            fields, key = sealer.seal_apart(row.fields, row.id)
            db.execute(sa.update(releases).where(releases.c.id == row.id).values(fields=fields))
            db.execute(sa.insert(release_keys).values(release_id=row.id, sealed_key=key))


def _open_releases(db: sa.Connection, sealer: Sealer) -> None:
    keys: dict[str, str] = dict(list(db.execute(sa.select(release_keys)).tuples()))
    for page in _pages(db, releases, releases.c.id):
        for row in page:
            fields = sealer.open_apart(row.fields, keys[row.id], row.id)
            db.execute(sa.update(releases).where(releases.c.id == row.id).values(fields=fields))


def _open_rows(db: sa.Connection, sealer: Sealer) -> None:
    for page in _pages(db, persons, persons.c.id):
        for row in page:
            body = json.loads(sealer.open(row.sealed, row.id))
            for c in body.pop("convictions"):
                days = {k: _date(c[k]) for k in ("convicted_on", "released_on")}
                db.execute(sa.insert(convictions).values(person_id=row.id, **{**c, **days}))
            body["date_of_birth"] = _date(body["date_of_birth"])
            db.execute(sa.update(persons).where(persons.c.id == row.id).values(**body))
    for page in _pages(db, custodies, custodies.c.id):
        for row in page:
            body = json.loads(sealer.open(row.sealed, row.id))
            for c in body["charges"]:
                day = _date(c["charged_on"])
                db.execute(sa.insert(charges).values(custody_id=row.id, **{**c, "charged_on": day}))
            db.execute(
                sa.update(custodies)
                .where(custodies.c.id == row.id)
                .values(arrested_on=_date(body["arrested_on"]))
            )
    for page in _pages(db, identifiers, identifiers.c.id):
        for row in page:
            value = sealer.open(row.value, f"{row.person_id}/{row.scheme}")
            db.execute(sa.update(identifiers).where(identifiers.c.id == row.id).values(value=value))


def _wall_again() -> None:
    """The row-level security of migration 0023 on the two tables brought back."""
    if op.get_bind().dialect.name != "postgresql":
        return
    every = "lexdesk_acting() = '*'"
    for table, clause in (
        ("convictions", "lexdesk_sees_person(person_id)"),
        ("charges", "EXISTS (SELECT 1 FROM custodies k WHERE k.id = custody_id)"),
    ):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY agency_wall ON {table} USING ({every} OR {clause}) WITH CHECK (true)"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO lexdesk_app")
    op.execute(
        """DO $$ BEGIN
            EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO lexdesk_app',
                           current_schema());
        END $$"""
    )

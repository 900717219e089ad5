"""Bringing what is sealed at rest under the current key (``adapters.sealing``): how many values
are under each key, and sealing every one again with the current key, in one transaction. The
sealed values are the TOTP seeds, people's records with the evaluations made from them
(``adapters.person_records``), and what users typed into searches and forms; an
identifier's digest is made again with its value, since the digest's key follows the data key.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, delete, insert, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import (
    case_term_rows,
    identifier_place,
    identifier_term,
    name_terms,
    term_digests,
)
from lexdesk.adapters.sealing import Sealer

PLAIN = "not sealed"
BATCH = 1_000


@dataclass(frozen=True)
class _Sealed:
    """A column of sealed values: its table's key, and each row's associated data."""

    column: Column[Any]
    key: Column[Any]
    place: Callable[[Any], str]
    #: Other columns to write again with the value (its digest): from the row and the value.
    derived: Callable[[Sealer, Any, str], dict[str, str]] | None = None
    #: The blind index's entries to make again from the value, under the current key.
    reindex: Callable[[Connection, Sealer, Any, str], None] | None = None

    @property
    def table(self) -> Table:
        assert isinstance(self.column.table, Table)
        return self.column.table


def _identifier_digest(sealer: Sealer, row: Any, value: str) -> dict[str, str]:
    return {"digest": sealer.digest(identifier_term(row.scheme, value))}


def _person_terms(db: Connection, sealer: Sealer, row: Any, value: str) -> None:
    t = orm.person_terms
    db.execute(delete(t).where(t.c.person_id == row.id))
    entries = [
        {"owner_agency_id": row.owner_agency_id, "term": digest, "person_id": row.id}
        for digest in term_digests(name_terms(*json.loads(value)), sealer)
    ]
    if entries:
        db.execute(insert(t), entries)


def _case_terms(db: Connection, sealer: Sealer, row: Any, value: str) -> None:
    t = orm.case_terms
    db.execute(delete(t).where(t.c.case_id == row.id))
    entries = case_term_rows(row.id, row.requesting_agency_id, value, sealer)
    if entries:
        db.execute(insert(t), entries)


_ids = orm.person_identifiers
SEALED = (
    _Sealed(orm.credentials.c.totp_secret, orm.credentials.c.user_id, lambda r: r.user_id),
    _Sealed(orm.persons.c.sealed, orm.persons.c.id, lambda r: r.id),
    _Sealed(orm.persons.c.name, orm.persons.c.id, lambda r: r.id, reindex=_person_terms),
    _Sealed(orm.cases.c.subject, orm.cases.c.id, lambda r: r.id, reindex=_case_terms),
    _Sealed(orm.custodies.c.sealed, orm.custodies.c.id, lambda r: r.id),
    _Sealed(
        orm.determinations.c.evaluation, orm.determinations.c.instrument_id,
        lambda r: r.instrument_id,
    ),
    _Sealed(orm.saved_searches.c.text, orm.saved_searches.c.id, lambda r: r.id),
    _Sealed(orm.form_drafts.c.fields, orm.form_drafts.c.id, lambda r: r.id),
    _Sealed(orm.form_drafts.c.said, orm.form_drafts.c.id, lambda r: r.id),
    # A release's values never change (the ledger): their own key is what rotates.
    _Sealed(orm.release_keys.c.sealed_key, orm.release_keys.c.release_id, lambda r: r.release_id),
    _Sealed(
        _ids.c.value, _ids.c.id, lambda r: identifier_place(r.person_id, r.scheme),
        _identifier_digest,
    ),
)  # fmt: skip


def census(engine: Engine) -> dict[str, int]:
    """Sealed values by the key that sealed them (``not sealed``: kept before sealing was)."""
    counts: Counter[str] = Counter()
    with engine.connect() as db:
        for sealed in SEALED:
            for stored in db.scalars(select(sealed.column).where(sealed.column.is_not(None))):
                counts[stored.split(".")[1] if Sealer.is_sealed(stored) else PLAIN] += 1
    return dict(counts)


def rewrap(engine: Engine, sealer: Sealer) -> int:
    """Seal with the current key every value that is not: how many. Online: readers open the
    old seal or the new one, whichever they find, and look identifiers up under every key."""
    changed = 0
    with engine.begin() as db:
        for sealed in SEALED:
            for row in _rows(db, sealed):
                stored = getattr(row, sealed.column.name)
                if stored is None or sealer.sealed_with_current(stored):
                    continue
                place = sealed.place(row)
                value = sealer.open(stored, place)
                fresh = {sealed.column.name: sealer.reseal(stored, place, value)}
                if sealed.derived:
                    fresh |= sealed.derived(sealer, row, value)
                if sealed.reindex:
                    sealed.reindex(db, sealer, row, value)
                key = getattr(row, sealed.key.name)
                db.execute(update(sealed.table).where(sealed.key == key).values(fresh))
                changed += 1
    return changed


def _rows(db: Connection, sealed: _Sealed) -> Iterator[Any]:
    """The table's rows a page at a time, in key order."""
    last = None
    while True:
        query = select(sealed.table).order_by(sealed.key).limit(BATCH)
        page = list(db.execute(query if last is None else query.where(sealed.key > last)))
        yield from page
        if len(page) < BATCH:
            return
        last = getattr(page[-1], sealed.key.name)

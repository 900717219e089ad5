"""The person aggregate: a person with identifiers, convictions, custodies and charges, kept
sealed at rest (``adapters.person_records``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import (
    identifier_columns,
    identifier_place,
    identifier_term,
    opened_custody,
    opened_name,
    opened_person,
    person_term_rows,
    sealed_custody,
    sealed_name,
    sealed_person,
)
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.persons import Custody, CustodyStatus, Identifier, IdentifierScheme, Person


class SqlPersonRepository:
    def __init__(self, connection: Connection, now: Callable[[], datetime], sealer: Sealer) -> None:
        self._db = connection
        self._now = now
        self._sealer = sealer

    def add(self, person: Person) -> None:
        self.add_many([person])

    def add_many(self, people: list[Person]) -> None:
        """New people: one statement per table, however many."""
        if not people:
            return
        now, db = self._now(), self._db
        db.execute(insert(orm.persons), [self._person_row(x, now) for x in people])
        self._insert_children(people)
        self._index(people)

    def identifier_index(
        self, owner_agency_id: str, wanted: Iterable[Identifier]
    ) -> dict[tuple[str, str], str]:
        """Which of the ``wanted`` identifiers the custodian's records know, to the person
        each names: found by their digests, under every key of the ring."""
        by_digest: dict[str, tuple[str, str]] = {}
        for ident in wanted:
            key = (ident.scheme.value, ident.value)
            for digest in self._sealer.digests(identifier_term(*key)):
                by_digest[digest] = key
        ids, found = orm.person_identifiers, {}
        digests = list(by_digest)
        for start in range(0, len(digests), 500):
            for row in self._db.execute(
                select(ids.c.digest, ids.c.person_id).where(
                    ids.c.owner_agency_id == owner_agency_id,
                    ids.c.digest.in_(digests[start : start + 500]),
                )
            ):
                found[by_digest[row.digest]] = row.person_id
        return found

    def stays(self, owner_agency_id: str) -> dict[str, tuple[str, datetime | None]]:
        """Each of the custodian's people's latest stay: its status and expected release."""
        c, p = orm.custodies, orm.persons
        rows = self._db.execute(
            select(c.c.person_id, c.c.status, c.c.expected_release_at)
            .join(p, p.c.id == c.c.person_id)
            .where(p.c.owner_agency_id == owner_agency_id)
            .order_by(c.c.booked_at)
        )
        return {row.person_id: (row.status, row.expected_release_at) for row in rows}

    def update(self, person: Person) -> None:
        """Replace what the custodial agency knows; the person's row keeps its identity."""
        table = orm.persons
        row = self._person_row(person, None)
        self._db.execute(table.update().where(table.c.id == person.id).values(**row))
        for child in (orm.person_identifiers, orm.custodies, orm.person_terms):
            self._db.execute(delete(child).where(child.c.person_id == person.id))
        self._insert_children([person])
        self._index([person])

    def get(self, person_id: str) -> Person | None:
        row = self._db.execute(select(orm.persons).where(orm.persons.c.id == person_id)).first()
        return self._load(row) if row else None

    def by_identifier(
        self, owner_agency_id: str, scheme: IdentifierScheme, value: str
    ) -> Person | None:
        """The person that this custodian's records know by the identifier (another
        custodian's record of the same identifier is another record, never this one)."""
        ids = orm.person_identifiers
        person_id = self._db.scalar(
            select(ids.c.person_id).where(
                ids.c.owner_agency_id == owner_agency_id,
                ids.c.scheme == scheme.value,
                ids.c.digest.in_(self._sealer.digests(identifier_term(scheme.value, value))),
            )
        )
        return self.get(person_id) if person_id else None

    def _person_row(self, person: Person, created: datetime | None) -> dict[str, Any]:
        row = {
            "id": person.id,
            "owner_agency_id": person.owner_agency_id,
            "name": sealed_name(person.family_name, person.given_name, person.id, self._sealer),
            "sealed": sealed_person(person, self._sealer),
        }
        return row if created is None else {**row, "created_at": created}

    def _index(self, people: list[Person]) -> None:
        """The people's names in the blind index (``person_terms``)."""
        terms = [t for x in people for t in person_term_rows(x, self._sealer)]
        if terms:
            self._db.execute(insert(orm.person_terms), terms)

    def _insert_children(self, people: list[Person]) -> None:
        db, sealer = self._db, self._sealer
        identifiers = [identifier_columns(x, i, sealer) for x in people for i in x.identifiers]
        if identifiers:
            db.execute(insert(orm.person_identifiers), identifiers)
        custodies = [_custody_row(x.id, c, sealer) for x in people for c in x.custodies]
        if custodies:
            db.execute(insert(orm.custodies), custodies)

    def _load(self, row: Row[Any]) -> Person:
        db, pid, sealer = self._db, row.id, self._sealer
        ids = orm.person_identifiers
        identifiers = [
            Identifier(
                IdentifierScheme(r.scheme), sealer.open(r.value, identifier_place(pid, r.scheme))
            )
            for r in db.execute(select(ids).where(ids.c.person_id == pid).order_by(ids.c.id))
        ]
        custodies = [
            _custody(r, sealer)
            for r in db.execute(
                select(orm.custodies)
                .where(orm.custodies.c.person_id == pid)
                .order_by(orm.custodies.c.booked_at)
            )
        ]
        family_name, given_name = opened_name(row.name, pid, sealer)
        return Person(
            id=pid,
            owner_agency_id=row.owner_agency_id,
            family_name=family_name,
            given_name=given_name,
            identifiers=identifiers,
            custodies=custodies,
            **opened_person(row.sealed, pid, sealer),
        )


def _custody(row: Row[Any], sealer: Sealer) -> Custody:
    arrested_on, charges = opened_custody(row.sealed, row.id, sealer)
    return Custody(
        id=row.id,
        agency_id=row.agency_id,
        booked_at=row.booked_at,
        arrested_on=arrested_on,
        expected_release_at=row.expected_release_at,
        status=CustodyStatus(row.status),
        charges=charges,
        left_at=row.left_at,
        destination=row.destination,
    )


def _custody_row(person_id: str, c: Custody, sealer: Sealer) -> dict[str, Any]:
    return {
        "id": c.id,
        "person_id": person_id,
        "agency_id": c.agency_id,
        "booked_at": c.booked_at,
        "expected_release_at": c.expected_release_at,
        "status": c.status.value,
        "left_at": c.left_at,
        "destination": c.destination,
        "sealed": sealed_custody(c.id, c.arrested_on, c.charges, sealer),
    }

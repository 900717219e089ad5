"""The person aggregate: a person with identifiers, convictions, custodies and charges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from lexdesk.adapters import orm
from lexdesk.domain.persons import (
    Charge,
    ChargeStatus,
    Conviction,
    Custody,
    CustodyStatus,
    Identifier,
    IdentifierScheme,
    Person,
)


class SqlPersonRepository:
    def __init__(self, connection: Connection, now: Callable[[], datetime]) -> None:
        self._db = connection
        self._now = now

    def add(self, person: Person) -> None:
        self._db.execute(
            insert(orm.persons).values(created_at=self._now(), **_person_columns(person))
        )
        self._insert_children(person)

    def add_many(self, people: list[Person]) -> None:
        """Many new people at once (a roster import): one statement per table."""
        if not people:
            return
        now = self._now()
        db = self._db
        db.execute(insert(orm.persons), [{"created_at": now, **_person_columns(x)} for x in people])
        identifiers = [
            {"person_id": x.id, "owner_agency_id": x.owner_agency_id, "scheme": i.scheme.value,
             "value": i.value}
            for x in people
            for i in x.identifiers
        ]  # fmt: skip
        if identifiers:
            db.execute(insert(orm.person_identifiers), identifiers)
        convictions = [_conviction_row(x.id, c) for x in people for c in x.convictions]
        if convictions:
            db.execute(insert(orm.convictions), convictions)
        custodies = [(x.id, c) for x in people for c in x.custodies]
        db.execute(insert(orm.custodies), [_custody_row(pid, c) for pid, c in custodies])
        charges = [_charge_row(c.id, ch) for _, c in custodies for ch in c.charges]
        if charges:
            db.execute(insert(orm.charges), charges)

    def identifier_index(self, owner_agency_id: str) -> dict[tuple[str, str], str]:
        """Every identifier in the custodian's records, to the person it names."""
        ids = orm.person_identifiers
        rows = self._db.execute(
            select(ids.c.scheme, ids.c.value, ids.c.person_id).where(
                ids.c.owner_agency_id == owner_agency_id
            )
        )
        return {(row.scheme, row.value): row.person_id for row in rows}

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
        self._db.execute(
            table.update().where(table.c.id == person.id).values(**_person_columns(person))
        )
        for child in (orm.person_identifiers, orm.convictions, orm.custodies):
            self._db.execute(delete(child).where(child.c.person_id == person.id))
        self._insert_children(person)

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
                ids.c.value == value,
            )
        )
        return self.get(person_id) if person_id else None

    def _insert_children(self, person: Person) -> None:
        db = self._db
        if person.identifiers:
            db.execute(
                insert(orm.person_identifiers),
                [
                    {
                        "person_id": person.id,
                        "owner_agency_id": person.owner_agency_id,
                        "scheme": i.scheme.value,
                        "value": i.value,
                    }
                    for i in person.identifiers
                ],
            )
        if person.convictions:
            db.execute(
                insert(orm.convictions), [_conviction_row(person.id, c) for c in person.convictions]
            )
        for custody in person.custodies:
            db.execute(insert(orm.custodies).values(**_custody_row(person.id, custody)))
            if custody.charges:
                db.execute(
                    insert(orm.charges), [_charge_row(custody.id, c) for c in custody.charges]
                )

    def _load(self, row: Row[Any]) -> Person:
        db, pid = self._db, row.id
        identifiers = [
            Identifier(IdentifierScheme(r.scheme), r.value)
            for r in db.execute(
                select(orm.person_identifiers).where(orm.person_identifiers.c.person_id == pid)
            )
        ]
        convictions = [
            Conviction(
                r.offense,
                r.offense_class,
                r.convicted_on,
                r.sentence,
                r.released_on,
                r.youthful_offender,
            )
            for r in db.execute(
                select(orm.convictions)
                .where(orm.convictions.c.person_id == pid)
                .order_by(orm.convictions.c.id)
            )
        ]
        custodies = [
            self._custody(r)
            for r in db.execute(
                select(orm.custodies)
                .where(orm.custodies.c.person_id == pid)
                .order_by(orm.custodies.c.booked_at)
            )
        ]
        return Person(
            id=pid,
            owner_agency_id=row.owner_agency_id,
            family_name=row.family_name,
            given_name=row.given_name,
            date_of_birth=row.date_of_birth,
            place_of_birth=row.place_of_birth,
            citizenship=row.citizenship,
            identifiers=identifiers,
            convictions=convictions,
            custodies=custodies,
            facts=dict(row.facts),
            record=dict(row.record),
            public_information=tuple(row.public_information),
        )

    def _custody(self, row: Row[Any]) -> Custody:
        charges = [
            Charge(
                r.offense,
                r.offense_class,
                r.charged_on,
                ChargeStatus(r.status),
                r.probable_cause_found,
            )
            for r in self._db.execute(
                select(orm.charges)
                .where(orm.charges.c.custody_id == row.id)
                .order_by(orm.charges.c.id)
            )
        ]
        return Custody(
            id=row.id,
            agency_id=row.agency_id,
            booked_at=row.booked_at,
            arrested_on=row.arrested_on,
            expected_release_at=row.expected_release_at,
            status=CustodyStatus(row.status),
            charges=charges,
            left_at=row.left_at,
            destination=row.destination,
        )


def _person_columns(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "owner_agency_id": person.owner_agency_id,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "date_of_birth": person.date_of_birth,
        "place_of_birth": person.place_of_birth,
        "citizenship": person.citizenship,
        "facts": person.facts,
        "record": person.record,
        "public_information": list(person.public_information),
    }


def _conviction_row(person_id: str, c: Conviction) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "offense": c.offense,
        "offense_class": c.offense_class,
        "convicted_on": c.convicted_on,
        "sentence": c.sentence,
        "released_on": c.released_on,
        "youthful_offender": c.youthful_offender,
    }


def _custody_row(person_id: str, c: Custody) -> dict[str, Any]:
    return {
        "id": c.id,
        "person_id": person_id,
        "agency_id": c.agency_id,
        "booked_at": c.booked_at,
        "arrested_on": c.arrested_on,
        "expected_release_at": c.expected_release_at,
        "status": c.status.value,
        "left_at": c.left_at,
        "destination": c.destination,
    }


def _charge_row(custody_id: str, c: Charge) -> dict[str, Any]:
    return {
        "custody_id": custody_id,
        "offense": c.offense,
        "offense_class": c.offense_class,
        "charged_on": c.charged_on,
        "status": c.status.value,
        "probable_cause_found": c.probable_cause_found,
    }

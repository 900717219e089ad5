"""The read side of a custodial agency's people: who it holds or held, newest first (their names
are sealed at rest: no list is in the order of names, ``adapters.person_records``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import identifier_place, opened_name, shown_name
from lexdesk.adapters.sealing import Sealer


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    status: str
    expected_release: datetime | None
    identifiers: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "expected_release_at": self.expected_release.isoformat()
            if self.expected_release
            else None,
            "identifiers": self.identifiers,
        }


def people_of(
    db: Connection, sealer: Sealer, agency_id: str, *, limit: int = 200
) -> list[PersonRow]:
    """The agency's own people, the newest records first, each with the state of their latest
    stay and their identifiers (names and identifiers opened here: they are sealed at rest)."""
    p, cu, ids = orm.persons, orm.custodies, orm.person_identifiers
    rows = list(
        db.execute(
            select(p.c.id, p.c.name)
            .where(p.c.owner_agency_id == agency_id)
            .order_by(p.c.created_at.desc(), p.c.id)
            .limit(limit)
        )
    )
    keys = [row.id for row in rows]
    stays: dict[str, Any] = {}
    for stay in db.execute(
        select(cu.c.person_id, cu.c.status, cu.c.expected_release_at, cu.c.booked_at)
        .where(cu.c.person_id.in_(keys))
        .order_by(cu.c.booked_at)
    ):
        stays[stay.person_id] = stay
    names: dict[str, dict[str, str]] = {}
    for ident in db.execute(select(ids).where(ids.c.person_id.in_(keys))):
        value = sealer.open(ident.value, identifier_place(ident.person_id, ident.scheme))
        names.setdefault(ident.person_id, {})[ident.scheme] = value
    return [
        PersonRow(
            id=row.id,
            name=shown_name(*opened_name(row.name, row.id, sealer)),
            status=stays[row.id].status if row.id in stays else "none",
            expected_release=stays[row.id].expected_release_at if row.id in stays else None,
            identifiers=names.get(row.id, {}),
        )
        for row in rows
    ]

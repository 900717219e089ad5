"""The disclosure ledger's rows: each release, and the agencies it reached."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select

from lexdesk.adapters import orm
from lexdesk.domain.disclosure import Release


class SqlReleaseRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, release: Release) -> None:
        self._db.execute(
            insert(orm.releases).values(
                id=release.id,
                person_id=release.person_id,
                case_id=release.case_id,
                instrument_id=release.instrument_id,
                custodian_agency_id=release.custodian_agency_id,
                released_by=release.released_by,
                at=release.at,
                fields=release.fields,
                basis=release.basis,
            )
        )
        self._db.execute(
            insert(orm.release_recipients),
            [
                {"release_id": release.id, "agency_id": agency, "person_id": release.person_id}
                for agency in release.recipients
            ],
        )

    def about(self, person_id: str) -> list[Release]:
        """Every release about a person, oldest first, with all its recipients."""
        r = orm.releases
        rows = list(self._db.execute(select(r).where(r.c.person_id == person_id).order_by(r.c.at)))
        reached: dict[str, list[str]] = {}
        for row in self._db.execute(recipients_about(person_id)):
            reached.setdefault(row.release_id, []).append(row.agency_id)
        return [_release(row, reached.get(row.id, [])) for row in rows]


def recipients_about(person_id: str) -> Select[tuple[str, str]]:
    """Who received each release about a person: asked by every read of the person's
    instruments and cases, so served by the index on the person (migration 0025)."""
    rr = orm.release_recipients
    return select(rr.c.release_id, rr.c.agency_id).where(rr.c.person_id == person_id)


def _release(row: Row[Any], recipients: list[str]) -> Release:
    return Release(
        id=row.id,
        person_id=row.person_id,
        case_id=row.case_id,
        instrument_id=row.instrument_id,
        custodian_agency_id=row.custodian_agency_id,
        released_by=row.released_by,
        recipients=tuple(sorted(recipients)),
        at=row.at,
        fields=dict(row.fields),
        basis=dict(row.basis),
    )

"""The disclosure ledger's rows: each release, and the agencies it reached."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import opened_release, sealed_release
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.disclosure import Release


class SqlReleaseRepository:
    def __init__(self, connection: Connection, sealer: Sealer) -> None:
        self._db = connection
        self._sealer = sealer  # the values released are sealed (adapters.person_records)

    def add(self, release: Release) -> None:
        fields, key = sealed_release(release.fields, release.id, self._sealer)
        self._db.execute(
            insert(orm.releases).values(
                id=release.id,
                person_id=release.person_id,
                case_id=release.case_id,
                instrument_id=release.instrument_id,
                custodian_agency_id=release.custodian_agency_id,
                released_by=release.released_by,
                at=release.at,
                fields=fields,
                basis=release.basis,
            )
        )
        self._db.execute(insert(orm.release_keys).values(release_id=release.id, sealed_key=key))
        self._db.execute(
            insert(orm.release_recipients),
            [
                {"release_id": release.id, "agency_id": agency, "person_id": release.person_id}
                for agency in release.recipients
            ],
        )

    def about(self, person_id: str) -> list[Release]:
        """Every release about a person, oldest first, with all its recipients."""
        r, k = orm.releases, orm.release_keys
        rows = list(
            self._db.execute(
                select(r, k.c.sealed_key)
                .join(k, k.c.release_id == r.c.id)
                .where(r.c.person_id == person_id)
                .order_by(r.c.at)
            )
        )
        if not rows:
            return []  # most people have none: no need to ask who received what
        reached: dict[str, list[str]] = {}
        for row in self._db.execute(recipients_about(person_id)):
            reached.setdefault(row.release_id, []).append(row.agency_id)
        return [_release(row, reached.get(row.id, []), self._sealer) for row in rows]


def recipients_about(person_id: str) -> Select[tuple[str, str]]:
    """Who received each release about a person: asked by every read of the person's
    instruments and cases, so served by the index on the person (migration 0025)."""
    rr = orm.release_recipients
    return select(rr.c.release_id, rr.c.agency_id).where(rr.c.person_id == person_id)


def _release(row: Row[Any], recipients: list[str], sealer: Sealer) -> Release:
    return Release(
        id=row.id,
        person_id=row.person_id,
        case_id=row.case_id,
        instrument_id=row.instrument_id,
        custodian_agency_id=row.custodian_agency_id,
        released_by=row.released_by,
        recipients=tuple(sorted(recipients)),
        at=row.at,
        fields=opened_release(row.fields, row.sealed_key, row.id, sealer),
        basis=dict(row.basis),
    )

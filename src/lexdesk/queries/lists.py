"""Lists of cases and instruments, as frozen rows ready to print or serialise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from itertools import islice
from typing import Any

from sqlalchemy import Connection, case, or_, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import opened_name, shown_name
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.vocabulary import OPEN_STATUSES

OPEN = sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class InstrumentRow:
    id: str
    case_id: str
    kind: str
    status: str
    issuer: str
    addressee: str
    due_at: datetime | None
    actions: tuple[str, ...]
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case_id": self.case_id,
            "kind": self.kind,
            "status": self.status,
            "issuer": self.issuer,
            "addressee": self.addressee,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "actions": list(self.actions),
            "version": self.version,
        }


def _instrument_row(row: Any) -> InstrumentRow:
    return InstrumentRow(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        status=row.status,
        issuer=row.issuer_agency_id,
        addressee=row.addressee_agency_id,
        due_at=row.due_at,
        actions=tuple(row.actions),
        version=row.version,
    )


def open_instruments(db: Connection, agency_id: str, *, limit: int = 50) -> list[InstrumentRow]:
    """An agency's inbox: open instruments addressed to it, soonest due first (undated last).

    One query per open status, each walking the inbox index (agency, status, due date) in
    order, merged here: a single query over both statuses would have to sort every open
    instrument of the agency, thousands at a busy jail, to return the first fifty."""
    t = orm.instruments
    dated = [
        db.execute(
            select(t)
            .where(t.c.addressee_agency_id == agency_id, t.c.status == status)
            .where(t.c.due_at.is_not(None))
            .order_by(t.c.due_at, t.c.id)
            .limit(limit)
        )
        for status in OPEN
    ]
    soonest = list(islice(merge(*dated, key=lambda row: (row.due_at, row.id)), limit))
    if len(soonest) < limit:
        undated = db.execute(
            select(t)
            .where(t.c.addressee_agency_id == agency_id, t.c.status.in_(OPEN))
            .where(t.c.due_at.is_(None))
            .order_by(t.c.id)
            .limit(limit - len(soonest))
        )
        soonest += list(undated)
    return [_instrument_row(row) for row in soonest]


@dataclass(frozen=True)
class CaseRow:
    id: str
    requesting_agency: str
    custodial_agency: str
    person_id: str
    person_name: str
    status: str
    opened_at: datetime
    instruments: int
    latest_kind: str | None
    latest_status: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "requesting_agency": self.requesting_agency,
            "custodial_agency": self.custodial_agency,
            "person_id": self.person_id,
            "person_name": self.person_name,
            "status": self.status,
            "opened_at": self.opened_at.isoformat(),
            "instruments": self.instruments,
            "latest": {"kind": self.latest_kind, "status": self.latest_status},
        }


def cases(
    db: Connection, sealer: Sealer, *, agency_id: str | None = None, limit: int = 200
) -> list[CaseRow]:
    """Cases, newest first. With an agency, only those it takes part in, as it may see them
    (the disclosure policy's read model: the case's status per agency, the person as the
    requester named them unless the agency holds them, each instrument's status as its issuer
    may see it); without one, every case as the agencies holding the people see them. The
    names are sealed at rest: opened here, a page at a time."""
    c, p, cp = orm.cases, orm.persons, orm.case_parties
    if agency_id is None:
        query = select(c, p.c.name).join(p, p.c.id == c.c.person_id)
        order = (c.c.opened_at.desc(), c.c.id)
    else:
        query = (
            select(*(col for col in c.c if col.name != "status"), cp.c.status, p.c.name)
            .select_from(cp)
            .join(c, c.c.id == cp.c.case_id)
            .join(p, p.c.id == c.c.person_id)
            .where(cp.c.agency_id == agency_id)
        )
        order = (cp.c.opened_at.desc(), c.c.id)
    rows = list(db.execute(query.order_by(*order).limit(limit)))
    chains = _chains(db, [row.id for row in rows], agency_id)
    return [_case_row(row, chains.get(row.id, []), _named(row, agency_id, sealer)) for row in rows]


def _named(row: Any, agency_id: str | None, sealer: Sealer) -> str:
    """The person as the agency may name them: the holder's record, else the requester's
    subject."""
    if agency_id is None or row.custodial_agency_id == agency_id:
        return shown_name(*opened_name(row.name, row.person_id, sealer))
    return sealer.open(row.subject, row.id)


def _chains(db: Connection, case_ids: list[str], agency_id: str | None) -> dict[str, list[Any]]:
    """Each case's instruments in order: for an agency, those it is party to, each with the
    status it may see (its issuer's view where it issued them)."""
    t = orm.instruments
    chains: dict[str, list[Any]] = {}
    if not case_ids:
        return chains
    if agency_id is None:
        query = select(t.c.case_id, t.c.kind, t.c.status)
    else:
        shown = case((t.c.addressee_agency_id == agency_id, t.c.status), else_=t.c.issuer_status)
        query = select(t.c.case_id, t.c.kind, shown.label("status")).where(
            or_(t.c.issuer_agency_id == agency_id, t.c.addressee_agency_id == agency_id)
        )
    query = query.where(t.c.case_id.in_(case_ids)).order_by(t.c.case_id, t.c.position)
    for row in db.execute(query):
        chains.setdefault(row.case_id, []).append(row)
    return chains


def _case_row(row: Any, chain: list[Any], person_name: str) -> CaseRow:
    return CaseRow(
        id=row.id,
        requesting_agency=row.requesting_agency_id,
        custodial_agency=row.custodial_agency_id,
        person_id=row.person_id,
        person_name=person_name,
        status=row.status,
        opened_at=row.opened_at,
        instruments=len(chain),
        latest_kind=chain[-1].kind if chain else None,
        latest_status=chain[-1].status if chain else None,
    )


def overdue_instrument_ids(db: Connection, now: datetime, *, limit: int = 1000) -> list[str]:
    """Open instruments whose due date has passed: what the sweeper lapses."""
    t = orm.instruments
    query = (
        select(t.c.id)
        .where(t.c.status.in_(OPEN), t.c.due_at.is_not(None), t.c.due_at < now)
        .order_by(t.c.due_at)
        .limit(limit)
    )
    return list(db.scalars(query))


@dataclass(frozen=True)
class OverrideRow:
    instrument_id: str
    kind: str
    outcome: str
    by: str
    at: datetime
    reason: str
    contradictions: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "instrument_id": self.instrument_id,
            "kind": self.kind,
            "outcome": self.outcome,
            "by": self.by,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "contradictions": self.contradictions,
        }


def overrides(db: Connection, agency_id: str, *, limit: int = 500) -> list[OverrideRow]:
    """The answers of an agency that overrode the rule engine's evaluation, newest first: what
    its own auditors and reports count (ADR 0007). Only the answering agency reads them."""
    d, t = orm.determinations, orm.instruments
    rows = db.execute(
        select(d, t.c.kind)
        .join(t, t.c.id == d.c.instrument_id)
        .where(t.c.addressee_agency_id == agency_id, d.c.override.is_not(None))
        .order_by(d.c.determined_at.desc(), d.c.instrument_id)
        .limit(limit)
    )
    return [
        OverrideRow(
            r.instrument_id,
            r.kind,
            r.outcome,
            r.override["by"],
            r.determined_at,
            r.override["reason"],
            list(r.override["contradictions"]),
        )
        for r in rows
    ]

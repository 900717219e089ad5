"""Repositories: rows to domain objects and back, one class per aggregate."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import (
    case_term_rows,
    deciding_rule,
    opened_evaluation,
    sealed_evaluation,
    sealed_subject,
)
from lexdesk.adapters.sealing import Sealer
from lexdesk.adapters.user_lifecycle import SqlUserLifecycle
from lexdesk.domain.account_lifecycle import utc_day
from lexdesk.domain.administration import RoleGrant
from lexdesk.domain.agencies import Agency, Role, User
from lexdesk.domain.answers import Override
from lexdesk.domain.cases import Case, CaseStatus
from lexdesk.domain.deadlines import DueDate
from lexdesk.domain.errors import ConcurrencyConflict, OpenCaseRace
from lexdesk.domain.instruments import Determination, Instrument, InstrumentEvent
from lexdesk.domain.vocabulary import (
    AgencyKind,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
)

#: One agency by its id, built once (a use case reads several: the actor's, the addressee's).
_AGENCY = select(orm.agencies).where(orm.agencies.c.id == bindparam("agency_id"))


class SqlAgencyRepository:
    def __init__(self, connection: Connection, now: Callable[[], datetime]) -> None:
        self._db = connection
        self._now = now
        # The directory changes within a transaction only by ``add``: each agency it asks for
        # is read once (issuing an instrument asked for the same two agencies four times).
        self._read: dict[str, Agency | None] = {}

    def add(self, agency: Agency) -> None:
        self._read.pop(agency.id, None)
        self._db.execute(
            insert(orm.agencies).values(
                id=agency.id,
                name=agency.name,
                kind=agency.kind.value,
                jurisdiction=agency.jurisdiction,
                rule_pack=agency.rule_pack,
                deadline_policy=agency.deadline_policy,
                component=agency.component,
                created_at=self._now(),
            )
        )

    def get(self, agency_id: str) -> Agency | None:
        if agency_id not in self._read:
            row = self._db.execute(_AGENCY, {"agency_id": agency_id}).first()
            self._read[agency_id] = _agency(row) if row else None
        return self._read[agency_id]

    def list(self) -> list[Agency]:
        rows = self._db.execute(select(orm.agencies).order_by(orm.agencies.c.id))
        return [_agency(row) for row in rows]


def _agency(row: Row[Any]) -> Agency:
    return Agency(
        id=row.id,
        name=row.name,
        kind=AgencyKind(row.kind),
        jurisdiction=row.jurisdiction,
        rule_pack=row.rule_pack,
        deadline_policy=dict(row.deadline_policy),
        component=row.component,
    )


class SqlUserRepository(SqlUserLifecycle):
    def __init__(self, connection: Connection, now: Callable[[], datetime]) -> None:
        self._db = connection
        self._now = now

    def add(self, user: User, created_by: str = "") -> None:
        self._db.execute(
            insert(orm.users).values(
                id=user.id,
                username=user.username,
                agency_id=user.agency_id,
                display_name=user.display_name,
                roles=sorted(r.value for r in user.roles),
                active=user.active,
                created_at=self._now(),
                created_by=created_by or None,
                ends_at=user.ends_at,
            )
        )

    def get(self, user_id: str) -> User | None:
        row = self._db.execute(select(orm.users).where(orm.users.c.id == user_id)).first()
        return _user(row) if row else None

    def by_username(self, username: str) -> User | None:
        row = self._db.execute(select(orm.users).where(orm.users.c.username == username)).first()
        return _user(row) if row else None

    def set_active(self, user_id: str, active: bool) -> None:
        # Enabling starts the inactivity clock afresh (domain.account_lifecycle).
        fresh = {"enabled_on": utc_day(self._now())} if active else {}
        values = {"active": active, **fresh}
        self._db.execute(update(orm.users).where(orm.users.c.id == user_id).values(**values))

    def set_roles(self, user_id: str, roles: frozenset[Role]) -> None:
        values = {"roles": sorted(r.value for r in roles)}
        self._db.execute(update(orm.users).where(orm.users.c.id == user_id).values(**values))

    def of_agency(self, agency_id: str, *, lock: bool = False) -> list[User]:
        query = select(orm.users).where(orm.users.c.agency_id == agency_id)
        query = query.order_by(orm.users.c.username)
        # SQLite transactions already hold the write lock (BEGIN IMMEDIATE).
        if lock and self._db.dialect.name == "postgresql":
            query = query.with_for_update()
        return [_user(row) for row in self._db.execute(query)]

    def add_grant(self, grant: RoleGrant) -> None:
        values = vars(grant) | {"roles": sorted(r.value for r in grant.roles)}
        self._db.execute(insert(orm.role_grants).values(**values))

    def grant(self, grant_id: str) -> RoleGrant | None:
        table = orm.role_grants
        row = self._db.execute(select(table).where(table.c.id == grant_id)).first()
        return _grant(row) if row else None

    def grants_of(self, agency_id: str, status: str | None = None) -> list[RoleGrant]:
        table = orm.role_grants
        query = select(table).where(table.c.agency_id == agency_id)
        if status is not None:
            query = query.where(table.c.status == status)
        query = query.order_by(table.c.requested_at.desc(), table.c.id)
        return [_grant(row) for row in self._db.execute(query)]

    def decide_grant(self, decided: RoleGrant) -> bool:
        table = orm.role_grants
        result = self._db.execute(
            update(table)
            .where(table.c.id == decided.id, table.c.status == "pending")
            .values(
                status=decided.status,
                decided_by=decided.decided_by,
                decided_at=decided.decided_at,
                decision_reason=decided.decision_reason,
            )
        )
        return result.rowcount == 1


def _grant(row: Row[Any]) -> RoleGrant:
    return RoleGrant(**(row._asdict() | {"roles": frozenset(Role(r) for r in row.roles)}))


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        username=row.username,
        agency_id=row.agency_id,
        display_name=row.display_name,
        roles=frozenset(Role(r) for r in row.roles),
        active=row.active,
        ends_at=row.ends_at,
    )


class SqlCaseRepository:
    """Cases with their instruments. Instruments carry a version: an update names the version
    it was loaded at and fails if someone else has moved it on (optimistic concurrency)."""

    def __init__(self, connection: Connection, sealer: Sealer) -> None:
        self._db = connection
        # Subjects and evaluations are sealed (adapters.person_records).
        self._sealer = sealer

    def add(self, case: Case) -> None:
        try:
            self._insert_case(case)
        except IntegrityError as error:
            if "uq_cases_open_matter" in str(error.orig) or "cases.requesting" in str(error.orig):
                raise OpenCaseRace() from None
            raise
        case.version = 1
        self._save_instruments(case)

    def _insert_case(self, case: Case) -> None:
        self._db.execute(
            insert(orm.cases).values(
                id=case.id,
                requesting_agency_id=case.requesting_agency_id,
                custodial_agency_id=case.custodial_agency_id,
                person_id=case.person_id,
                opened_at=case.opened_at,
                status=case.status.value,
                version=1,
                subject=sealed_subject(case.subject, case.id, self._sealer),
            )
        )
        terms = case_term_rows(case.id, case.requesting_agency_id, case.subject, self._sealer)
        if terms:
            self._db.execute(insert(orm.case_terms), terms)

    def get(self, case_id: str) -> Case | None:
        row = self._db.execute(select(orm.cases).where(orm.cases.c.id == case_id)).first()
        return self._load(row) if row else None

    def of_instrument(self, instrument_id: str) -> Case | None:
        case_id = self._db.scalar(
            select(orm.instruments.c.case_id).where(orm.instruments.c.id == instrument_id)
        )
        return self.get(case_id) if case_id else None

    def find(self, requesting_agency_id: str, person_id: str) -> list[Case]:
        rows = self._db.execute(
            select(orm.cases)
            .where(orm.cases.c.requesting_agency_id == requesting_agency_id)
            .where(orm.cases.c.person_id == person_id)
            .order_by(orm.cases.c.opened_at)
        )
        return [self._load(row) for row in rows]

    def find_open(
        self, requesting_agency_id: str, custodial_agency_id: str, person_id: str
    ) -> Case | None:
        c = orm.cases
        row = self._db.execute(
            select(c).where(
                c.c.requesting_agency_id == requesting_agency_id,
                c.c.custodial_agency_id == custodial_agency_id,
                c.c.person_id == person_id,
                c.c.status == CaseStatus.OPEN.value,
            )
        ).first()
        return self._load(row) if row else None

    def about(self, person_id: str) -> list[Case]:
        """Every case about a person (for the holder's custody events)."""
        rows = self._db.execute(
            select(orm.cases)
            .where(orm.cases.c.person_id == person_id)
            .order_by(orm.cases.c.opened_at)
        )
        return [self._load(row) for row in rows]

    def events(self, case_id: str) -> list[InstrumentEvent]:
        e = orm.instrument_events
        rows = self._db.execute(select(e).where(e.c.case_id == case_id).order_by(e.c.at, e.c.id))
        return [_event(row) for row in rows]

    def save_views(
        self,
        case: Case,
        issuer_views: dict[str, tuple[InstrumentStatus, datetime | None]],
        parties: dict[str, CaseStatus],
    ) -> None:
        """Store what the policy lets each party see (the lists read these): each instrument's
        status and due date as its issuer sees them, and the case's status per agency."""
        t = orm.instruments
        changed = [
            {"b_id": key, "b_status": status.value, "b_due": due}
            for key, (status, due) in issuer_views.items()
        ]
        if changed:
            self._db.execute(
                update(t)
                .where(t.c.id == bindparam("b_id"))
                .where(
                    or_(
                        t.c.issuer_status != bindparam("b_status"),
                        t.c.issuer_due_at.is_distinct_from(bindparam("b_due")),
                    )
                )
                .values(issuer_status=bindparam("b_status"), issuer_due_at=bindparam("b_due")),
                changed,
            )
        cp = orm.case_parties
        self._db.execute(delete(cp).where(cp.c.case_id == case.id))
        self._db.execute(
            insert(cp),
            [
                {"case_id": case.id, "agency_id": agency, "status": status.value,
                 "opened_at": case.opened_at}
                for agency, status in parties.items()
            ],
        )  # fmt: skip

    def save(self, case: Case) -> None:
        result = self._db.execute(
            update(orm.cases)
            .where(orm.cases.c.id == case.id, orm.cases.c.version == case.version)
            .values(status=case.status.value, version=case.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict("case", case.id, case.version)
        case.version += 1
        self._save_instruments(case)

    def _save_instruments(self, case: Case) -> None:
        for position, instrument in enumerate(case.instruments):
            if instrument.version == 0:
                self._insert(instrument, position)
            elif instrument.new_events:
                self._update(instrument)
            else:
                continue
            self._store_events(instrument)

    def _insert(self, instrument: Instrument, position: int) -> None:
        # The issuer's view starts with nothing withheld that is not its own: ``save_views``
        # sets it from the policy in the same transaction.
        self._db.execute(
            insert(orm.instruments).values(
                position=position,
                version=1,
                issuer_status=instrument.status.value,
                issuer_due_at=None,
                **_columns(instrument),
            )
        )
        instrument.version = 1
        self._store_determination(instrument)

    def _update(self, instrument: Instrument) -> None:
        table = orm.instruments
        result = self._db.execute(
            update(table)
            .where(table.c.id == instrument.id, table.c.version == instrument.version)
            .values(version=instrument.version + 1, **_columns(instrument))
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict("instrument", instrument.id, instrument.version)
        instrument.version += 1
        self._store_determination(instrument)

    def _store_determination(self, instrument: Instrument) -> None:
        det = instrument.determination
        recorded = any(e.transition == "determine" for e in instrument.new_events)
        if det is None or not recorded:
            return
        self._db.execute(
            insert(orm.determinations).values(
                instrument_id=instrument.id,
                outcome=det.outcome.value,
                reason=det.reason,
                released_fields=list(det.released_fields),
                determined_by=det.determined_by,
                determined_at=det.determined_at,
                evaluation=sealed_evaluation(_text(det.evaluation), instrument.id, self._sealer),
                deciding_rule=deciding_rule(det.evaluation, instrument.actions),
                actions_performed=list(det.actions_performed),
                override=det.override.to_json() if det.override else None,
            )
        )

    def _store_events(self, instrument: Instrument) -> None:
        if instrument.new_events:
            self._db.execute(
                insert(orm.instrument_events), [_event_row(e) for e in instrument.new_events]
            )
        instrument.new_events.clear()

    def _load(self, row: Row[Any]) -> Case:
        table = orm.instruments
        rows = self._db.execute(
            select(table).where(table.c.case_id == row.id).order_by(table.c.position)
        )
        instruments = [_instrument(r) for r in rows]
        if instruments:
            dets = self._db.execute(
                select(orm.determinations).where(
                    orm.determinations.c.instrument_id.in_([i.id for i in instruments])
                )
            )
            by_id = {d.instrument_id: _determination(d, self._sealer) for d in dets}
            for instrument in instruments:
                instrument.determination = by_id.get(instrument.id)
        return Case(
            id=row.id,
            requesting_agency_id=row.requesting_agency_id,
            custodial_agency_id=row.custodial_agency_id,
            person_id=row.person_id,
            opened_at=row.opened_at,
            status=CaseStatus(row.status),
            instruments=instruments,
            version=row.version,
            subject=self._sealer.open(row.subject, row.id),
        )


def _columns(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "case_id": instrument.case_id,
        "kind": instrument.kind.value,
        "actions": list(instrument.actions),
        "warrant": instrument.warrant.value,
        "issuer_agency_id": instrument.issuer_agency_id,
        "addressee_agency_id": instrument.addressee_agency_id,
        "parent_id": instrument.parent_id,
        "status": instrument.status.value,
        "created_at": instrument.created_at,
        "issued_at": instrument.issued_at,
        "due_at": instrument.due_at,
        "due": instrument.due.to_json() if instrument.due else None,
        "reference": instrument.reference,
        "produce_to": list(instrument.produce_to),
        "recorded_by": instrument.recorded_by,
        "confirmed_at": instrument.confirmed_at,
    }


def _instrument(row: Row[Any]) -> Instrument:
    return Instrument(
        id=row.id,
        case_id=row.case_id,
        kind=InstrumentKind(row.kind),
        actions=tuple(row.actions),
        warrant=Warrant(row.warrant),
        issuer_agency_id=row.issuer_agency_id,
        addressee_agency_id=row.addressee_agency_id,
        created_at=row.created_at,
        parent_id=row.parent_id,
        status=InstrumentStatus(row.status),
        issued_at=row.issued_at,
        due=DueDate.from_json(row.due) if row.due else None,
        reference=row.reference,
        version=row.version,
        produce_to=tuple(row.produce_to),
        recorded_by=row.recorded_by,
        confirmed_at=row.confirmed_at,
    )


def _text(evaluation: dict[str, Any] | None) -> str | None:
    return None if evaluation is None else json.dumps(evaluation)


def _determination(row: Row[Any], sealer: Sealer) -> Determination:
    return Determination(
        outcome=Outcome(row.outcome),
        reason=row.reason,
        released_fields=tuple(row.released_fields),
        determined_by=row.determined_by,
        determined_at=row.determined_at,
        evaluation=opened_evaluation(row.evaluation, row.instrument_id, sealer),
        actions_performed=tuple(row.actions_performed),
        override=Override.from_json(row.override) if row.override else None,
    )


def _event(row: Row[Any]) -> InstrumentEvent:
    return InstrumentEvent(
        instrument_id=row.instrument_id,
        case_id=row.case_id,
        transition=row.transition,
        from_status=InstrumentStatus(row.from_status) if row.from_status else None,
        to_status=InstrumentStatus(row.to_status),
        actor=row.actor,
        at=row.at,
        reason=row.reason,
        changes=dict(row.changes),
    )


def _event_row(event: InstrumentEvent) -> dict[str, Any]:
    return {
        "instrument_id": event.instrument_id,
        "case_id": event.case_id,
        "transition": event.transition,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value,
        "actor": event.actor,
        "at": event.at,
        "reason": event.reason,
        "changes": event.changes,
    }

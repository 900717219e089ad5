"""Service of process: the issuer of an instrument records how, by whom and when it was served
on the addressee (``domain.service``); the instrument's document then carries the certificate
of service. Whoever may see the instrument may see how it was served. Audited."""

from __future__ import annotations

from datetime import datetime

from lexdesk.domain.cases import Case
from lexdesk.domain.deadlines import from_service, runs_from_service
from lexdesk.domain.errors import LexdeskError, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.permissions import Permission
from lexdesk.domain.service import ServiceMethod, ServiceRecord, check_service
from lexdesk.domain.vocabulary import parse_choice
from lexdesk.services import audit, views
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, agency, audit_actor
from lexdesk.services.instrument_access import due_for_addressee
from lexdesk.services.ports import UnitOfWork


def record(
    desk: Desk,
    reader: Principal,
    instrument_id: str,
    method: str,
    served_by: str,
    served_at: datetime,
    note: str = "",
    *,
    source: str,
) -> ServiceRecord:
    """Record a service of the instrument (its issuer's officers, who may issue). A refusal
    is on record too."""
    try:
        return _record(desk, reader, instrument_id, method, served_by, served_at, note, source)
    except LexdeskError as refusal:
        audit.record_refusal(
            desk,
            refusal,
            username=reader.username,
            agency=reader.agency_id,
            action="instrument.serve",
            object_id=instrument_id,
            source=source,
            detail={"method": method[:20]},
        )
        raise


def _record(
    desk: Desk,
    reader: Principal,
    instrument_id: str,
    method: str,
    served_by: str,
    served_at: datetime,
    note: str,
    source: str,
) -> ServiceRecord:
    authorize(reader, Permission.INSTRUMENT_ISSUE)
    chosen = parse_choice(ServiceMethod, method, "method of service")
    now = desk.clock.now()
    with desk.uow() as uow:
        case = uow.cases.of_instrument(instrument_id)
        if case is None:
            raise NotFound("instrument", instrument_id)
        instrument = case.instrument(instrument_id)
        if views.instrument_view(uow, reader.agency_id, case, instrument) is None:
            raise NotFound("instrument", instrument_id)
        if instrument.issuer_agency_id != reader.agency_id:
            raise NotPermitted(f"only the issuer of {instrument_id} records how it was served")
        check_service(served_by, served_at, instrument.issued_at, now, note)
        made = ServiceRecord(
            id=new_id("srv"),
            instrument_id=instrument_id,
            method=chosen,
            served_by=served_by.strip(),
            served_at=served_at,
            agency_id=reader.agency_id,
            recorded_by=reader.username,
            recorded_at=now,
            note=note.strip(),
        )
        uow.documents.add_service(made)
        _start_clock(desk, uow, case, instrument, made, now)
        actor, behalf = audit_actor(desk, reader.username)
        audit.record(
            uow,
            actor=actor,
            agency=reader.agency_id,
            action="instrument.serve",
            object_type="instrument",
            object_id=instrument_id,
            source=source,
            detail={
                "via": reader.via,
                "service": made.id,
                "method": chosen.value,
                "served_at": served_at.isoformat(),
                **behalf,
            },
        )
        uow.commit()
    return made


def _start_clock(
    desk: Desk,
    uow: UnitOfWork,
    case: Case,
    instrument: Instrument,
    made: ServiceRecord,
    now: datetime,
) -> None:
    """Count an open instrument's answer from its first service, where its clock runs so."""
    if not runs_from_service(instrument.kind) or not instrument.is_open:
        return
    start = min(s.served_at for s in [*uow.documents.services_of(instrument.id), made])
    person = uow.persons.get(case.person_id)
    if person is None:
        return
    addressee = agency(uow, instrument.addressee_agency_id)
    due = due_for_addressee(desk, instrument.kind, addressee, start, person, None, now)
    said = f"The clock runs from service: served {made.method.value.replace('_', ' ')}."
    moved = from_service(due) if due else None
    if instrument.reschedule(moved, at=now, reason=said, cause="service"):
        views.store(uow, case)


def of_instrument(
    desk: Desk, reader: Principal, instrument_id: str, source: str = "cli"
) -> list[ServiceRecord]:
    """How the instrument was served, for whoever may see it (the read is audited, like every
    read of an instrument)."""
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        case = uow.cases.of_instrument(instrument_id)
        if case is None:
            raise NotFound("instrument", instrument_id)
        instrument = case.instrument(instrument_id)
        if views.instrument_view(uow, reader.agency_id, case, instrument) is None:
            raise NotFound("instrument", instrument_id)
        found = uow.documents.services_of(instrument_id)
        actor, behalf = audit_actor(desk, reader.username)
        audit.record(
            uow,
            actor=actor,
            agency=reader.agency_id,
            action="service.read",
            object_type="instrument",
            object_id=instrument_id,
            source=source,
            detail={"via": reader.via, "services": [s.id for s in found], **behalf},
        )
        uow.commit()
    return found

"""What an agency may read of a person, a case and an instrument, and the record of each look.

A custodial agency reads its own people in full. Any other agency reads a person only through
the disclosure ledger: the fields released to it, as they stood when released. Cases and
instruments are read as the disclosure policy shows them to the reader's agency
(``domain.visibility``, through ``views``); what it may not see does not exist: the same
NotFound as a wrong id (ASVS 8.2.2). Every read of personal data is audited in the transaction
that reads it (CJIS AU-2 c.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.cases import Case
from lexdesk.domain.disclosure import Release
from lexdesk.domain.errors import NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import IdentifierScheme, Person
from lexdesk.domain.visibility import CaseView, InstrumentView, Ledger, takes_part
from lexdesk.services import audit, views
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class DisclosureSource:
    """One release that reached the reader (or, for the holder, that the holder made)."""

    instrument_id: str
    outcome: str
    determined_at: datetime
    released_fields: tuple[str, ...]
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disclosure:
    """The released fields, as they stood when released, and the releases they came from."""

    person_id: str
    recipient_agency_id: str
    fields: dict[str, Any]
    sources: tuple[DisclosureSource, ...]


def own_person(desk: Desk, reader: Principal, person_id: str, source: str) -> Person:
    """A person's full record, for the custodial agency that holds them."""
    authorize(reader, Permission.PERSON_READ)
    with desk.uow() as uow:
        person = uow.persons.get(person_id)
        if person is None or person.owner_agency_id != reader.agency_id:
            raise NotFound("person", person_id)
        _read(desk, uow, reader, "person", person.id, source)
        uow.commit()
    return person


def find_own_person(
    desk: Desk, reader: Principal, scheme: IdentifierScheme, value: str, source: str
) -> Person:
    """Look a person up by an identifier (a NYSID, a booking number), in one's own records."""
    authorize(reader, Permission.PERSON_READ)
    with desk.uow() as uow:
        person = uow.persons.by_identifier(reader.agency_id, scheme, value)
        if person is None:
            raise NotFound(f"person with that {scheme.value}", "(given in the request)")
        _read(desk, uow, reader, "person", person.id, source, {"by": scheme.value})
        uow.commit()
    return person


def visible_case(desk: Desk, reader: Principal, case_id: str, source: str) -> CaseView:
    """A case as the reader's agency may see it."""
    authorize(reader, Permission.CASE_READ)
    with desk.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None or not takes_part(reader.agency_id, case):
            raise NotFound("case", case_id)
        view = views.case_view(uow, reader.agency_id, case)
        _read(desk, uow, reader, "case", case.id, source)
        uow.commit()
    return view


def visible_instrument(
    desk: Desk, reader: Principal, instrument_id: str, source: str
) -> InstrumentView:
    """An instrument as the reader's agency may see it."""
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        _, view = _seen(uow, reader, instrument_id)
        _read(desk, uow, reader, "instrument", instrument_id, source)
        uow.commit()
    return view


def seen_after_change(desk: Desk, actor: Principal, instrument_id: str) -> InstrumentView:
    """The instrument as the actor who just changed it may see it (a change's answer)."""
    with desk.uow() as uow:
        _, view = _seen(uow, actor, instrument_id)
    return view


def disclosure_of(desk: Desk, reader: Principal, instrument_id: str, source: str) -> Disclosure:
    """What was released in answer to one instrument: to the reader, or by the reader (the
    holder sees every release it made). A ruling on a petition releases nothing."""
    authorize(reader, Permission.DISCLOSURE_READ)
    with desk.uow() as uow:
        case, _ = _seen(uow, reader, instrument_id)
        holder = reader.agency_id == case.custodial_agency_id
        made = [
            r
            for r in uow.releases.about(case.person_id)
            if r.instrument_id == instrument_id and (holder or r.reaches(reader.agency_id))
        ]
        package = _package(case.person_id, reader.agency_id, made)
        detail = {"person": case.person_id, "fields": sorted(package.fields)}
        _read(desk, uow, reader, "disclosure", instrument_id, source, detail)
        uow.commit()
    return package


def disclosures_about(desk: Desk, reader: Principal, person_id: str, source: str) -> Disclosure:
    """Everything released to the reader's agency about a person, from every release."""
    authorize(reader, Permission.DISCLOSURE_READ)
    with desk.uow() as uow:
        reached = Ledger(tuple(uow.releases.about(person_id))).to(reader.agency_id)
        if not reached:
            raise NotFound("person", person_id)
        package = _package(person_id, reader.agency_id, reached)
        detail = {"fields": sorted(package.fields)}
        _read(desk, uow, reader, "disclosure", person_id, source, detail)
        uow.commit()
    return package


def _seen(uow: UnitOfWork, reader: Principal, instrument_id: str) -> tuple[Case, InstrumentView]:
    case = uow.cases.of_instrument(instrument_id)
    if case is None:
        raise NotFound("instrument", instrument_id)
    view = views.instrument_view(uow, reader.agency_id, case, case.instrument(instrument_id))
    if view is None:
        raise NotFound("instrument", instrument_id)
    return case, view


def _package(person_id: str, recipient: str, made: list[Release]) -> Disclosure:
    ordered = sorted(made, key=lambda r: r.at)
    fields: dict[str, Any] = {}
    for release in ordered:
        fields.update(release.fields)
    sources = tuple(
        DisclosureSource(
            r.instrument_id,
            str(r.basis.get("outcome", "")),
            r.at,
            tuple(r.fields),
            r.recipients,
        )
        for r in ordered
    )
    return Disclosure(person_id, recipient, fields, sources)


def _read(
    desk: Desk,
    uow: UnitOfWork,
    reader: Principal,
    object_type: str,
    object_id: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> None:
    actor, behalf = audit_actor(desk, reader.username)
    audit.record(
        uow,
        actor=actor,
        agency=reader.agency_id,
        action=f"{object_type}.read",
        object_type=object_type,
        object_id=object_id,
        source=source,
        detail={"via": reader.via, **behalf, **(detail or {})},
    )

"""What an agency may see of a person, a case and an instrument, and the record of each look.

A custodial agency sees its own people in full. Any other agency sees a person only through
disclosures: the fields that a determination released to it, read from the record as it is
now, and nothing else (ASVS 8.2.3). A case is visible to its two agencies and to every agency
that is party to one of its instruments; an instrument to its two parties. Whatever is not
visible does not exist: the same NotFound as a wrong id (ASVS 8.2.2). Every read of personal
data is audited in the transaction that reads it (CJIS AU-2 c.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.cases import Case
from lexdesk.domain.errors import NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.persons import IdentifierScheme, Person
from lexdesk.services import audit
from lexdesk.services.accounts import Principal
from lexdesk.services.context import Desk
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class DisclosureSource:
    """One determination that released fields to the recipient."""

    instrument_id: str
    outcome: str
    determined_at: datetime
    released_fields: tuple[str, ...]


@dataclass(frozen=True)
class Disclosure:
    """The package of released fields: only what the determinations in ``sources`` permit."""

    person_id: str
    recipient_agency_id: str
    fields: dict[str, Any]
    sources: tuple[DisclosureSource, ...]


def field_value(person: Person, name: str) -> Any:
    """The current value of a disclosable field, as JSON-ready data (None if not on record)."""
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    match name:
        case "release_date":
            due = custody.expected_release_at if custody else None
            return due.isoformat() if due else None
        case "custody_status":
            return custody.status.value if custody else None
        case "date_of_birth":
            return person.date_of_birth.isoformat() if person.date_of_birth else None
        case "place_of_birth":
            return person.place_of_birth or None
        case "citizenship_status":
            return person.citizenship or None
        case "criminal_history":
            return [
                {
                    "offense": c.offense,
                    "offense_class": c.offense_class,
                    "convicted_on": c.convicted_on.isoformat(),
                    "sentence": c.sentence,
                    "released_on": c.released_on.isoformat() if c.released_on else None,
                }
                for c in person.convictions
            ]
        case _:
            return person.record.get(name)


def own_person(desk: Desk, reader: Principal, person_id: str, source: str) -> Person:
    """A person's full record, for the custodial agency that holds them."""
    with desk.uow() as uow:
        person = uow.persons.get(person_id)
        if person is None or person.owner_agency_id != reader.agency_id:
            raise NotFound("person", person_id)
        _read(uow, reader, "person", person.id, source)
        uow.commit()
    return person


def find_own_person(
    desk: Desk, reader: Principal, scheme: IdentifierScheme, value: str, source: str
) -> Person:
    """Look a person up by an identifier (a NYSID, a booking number), within one's own custody."""
    with desk.uow() as uow:
        person = uow.persons.by_identifier(scheme, value)
        if person is None or person.owner_agency_id != reader.agency_id:
            raise NotFound(f"person with that {scheme.value}", "(given in the request)")
        _read(uow, reader, "person", person.id, source, {"by": scheme.value})
        uow.commit()
    return person


def visible_case(desk: Desk, reader: Principal, case_id: str, source: str) -> Case:
    with desk.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None or not _takes_part(case, reader.agency_id):
            raise NotFound("case", case_id)
        _read(uow, reader, "case", case.id, source)
        uow.commit()
    return case


def visible_instrument(
    desk: Desk, reader: Principal, instrument_id: str, source: str
) -> tuple[Case, Instrument]:
    """An instrument and its case, for a party to the instrument."""
    with desk.uow() as uow:
        case, instrument = _party_instrument(uow, reader, instrument_id)
        _read(uow, reader, "instrument", instrument.id, source)
        uow.commit()
    return case, instrument


def disclosure_of(desk: Desk, reader: Principal, instrument_id: str, source: str) -> Disclosure:
    """What one instrument's determination released, for either party to it."""
    with desk.uow() as uow:
        case, instrument = _party_instrument(uow, reader, instrument_id)
        person = _person(uow, case.person_id)
        package = _package(person, instrument.issuer_agency_id, [instrument])
        _read(uow, reader, "disclosure", instrument.id, source, {"person": person.id})
        uow.commit()
    return package


def disclosures_about(desk: Desk, reader: Principal, person_id: str, source: str) -> Disclosure:
    """Everything released to the reader's agency about a person, by every determination."""
    with desk.uow() as uow:
        person = uow.persons.get(person_id)
        answered = _released_to(uow, reader.agency_id, person) if person else []
        if person is None or not answered:
            raise NotFound("person", person_id)
        package = _package(person, reader.agency_id, answered)
        _read(uow, reader, "disclosure", person.id, source, {"fields": sorted(package.fields)})
        uow.commit()
    return package


def _released_to(uow: UnitOfWork, agency_id: str, person: Person) -> list[Instrument]:
    found: list[Instrument] = []
    for case in uow.cases.find(agency_id, person.id):
        found.extend(
            i
            for i in case.instruments
            if i.issuer_agency_id == agency_id
            and i.determination
            and i.determination.released_fields
        )
    return found


def _package(person: Person, recipient: str, answered: list[Instrument]) -> Disclosure:
    sources = tuple(
        DisclosureSource(
            i.id,
            i.determination.outcome.value,
            i.determination.determined_at,
            i.determination.released_fields,
        )
        for i in answered
        if i.determination is not None
    )
    names = dict.fromkeys(name for s in sources for name in s.released_fields)
    return Disclosure(person.id, recipient, {n: field_value(person, n) for n in names}, sources)


def _party_instrument(
    uow: UnitOfWork, reader: Principal, instrument_id: str
) -> tuple[Case, Instrument]:
    case = uow.cases.of_instrument(instrument_id)
    instrument = (
        next((i for i in case.instruments if i.id == instrument_id), None) if case else None
    )
    if case is None or instrument is None or instrument.party_of(reader.agency_id) is None:
        raise NotFound("instrument", instrument_id)
    return case, instrument


def _takes_part(case: Case, agency_id: str) -> bool:
    if agency_id in (case.requesting_agency_id, case.custodial_agency_id):
        return True
    return any(i.party_of(agency_id) is not None for i in case.instruments)


def _person(uow: UnitOfWork, person_id: str) -> Person:
    person = uow.persons.get(person_id)
    if person is None:
        raise NotFound("person", person_id)
    return person


def _read(
    uow: UnitOfWork,
    reader: Principal,
    object_type: str,
    object_id: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        uow,
        actor=reader.username,
        agency=reader.agency_id,
        action=f"{object_type}.read",
        object_type=object_type,
        object_id=object_id,
        source=source,
        detail={"via": reader.via, **(detail or {})},
    )

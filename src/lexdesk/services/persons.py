"""Book people into a custodial agency's custody, with their charges and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lexdesk.domain.errors import InvalidInput, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.persons import (
    Charge,
    Conviction,
    Custody,
    Identifier,
    IdentifierScheme,
    Person,
)
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import AgencyKind, parse_choice
from lexdesk.services import audit
from lexdesk.services.context import Desk, acting_user, agency


@dataclass(frozen=True)
class BookPerson:
    actor: str
    family_name: str
    given_name: str
    arrested_on: date
    booked_at: datetime
    expected_release_at: datetime | None = None
    date_of_birth: date | None = None
    place_of_birth: str = ""
    citizenship: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    charges: tuple[Charge, ...] = ()
    convictions: tuple[Conviction, ...] = ()
    facts: dict[str, bool] = field(default_factory=dict)
    record: dict[str, str] = field(default_factory=dict)
    source: str = "cli"


#: Facts about a person that the rule packs ask for, beyond convictions and charges: the
#: rule request's own list, so that a fact the engine learns is one a custodian can record.
PERSON_FACTS = PERSON_FLAGS


@audit.records_denials("person.book", "person", None)
def book_person(desk: Desk, command: BookPerson) -> Person:
    unknown = sorted(set(command.facts) - set(PERSON_FACTS))
    if unknown:
        raise InvalidInput(f"unknown fact {unknown[0]!r}: facts are {', '.join(PERSON_FACTS)}")
    if command.expected_release_at and command.expected_release_at < command.booked_at:
        raise InvalidInput("expected release precedes booking: check the dates")
    identifiers = [_identifier(scheme, value) for scheme, value in command.identifiers.items()]
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        holder = agency(uow, user.agency_id)
        if holder.kind is not AgencyKind.CUSTODIAL:
            raise NotPermitted(
                f"{holder.name} is not a custodial agency: only a custodian books people"
            )
        for ident in identifiers:
            if uow.persons.by_identifier(ident.scheme, ident.value):
                raise InvalidInput(f"{ident.scheme.value} {ident.value} is already booked")
        person = Person(
            id=new_id("per"),
            owner_agency_id=holder.id,
            family_name=command.family_name,
            given_name=command.given_name,
            date_of_birth=command.date_of_birth,
            place_of_birth=command.place_of_birth,
            citizenship=command.citizenship,
            identifiers=identifiers,
            convictions=list(command.convictions),
            custodies=[
                Custody(
                    id=new_id("cus"),
                    agency_id=holder.id,
                    booked_at=command.booked_at,
                    arrested_on=command.arrested_on,
                    expected_release_at=command.expected_release_at,
                    charges=list(command.charges),
                )
            ],
            facts=dict(command.facts),
            record=dict(command.record),
        )
        uow.persons.add(person)
        audit.record(
            uow,
            actor=user.username,
            agency=holder.id,
            action="person.book",
            object_type="person",
            object_id=person.id,
            source=command.source,
        )
        uow.commit()
    return person


def _identifier(scheme: str, value: str) -> Identifier:
    parsed = parse_choice(IdentifierScheme, scheme, "identifier scheme")
    if not value.strip():
        raise InvalidInput(f"{scheme} needs a value")
    return Identifier(parsed, value.strip())

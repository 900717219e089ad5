"""What every verb on an instrument shares: loading it for an actor, checking their side,
recording the change, and computing due dates on the addressee's clock."""

from __future__ import annotations

from datetime import datetime

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.calendar import calendar_for
from lexdesk.domain.cases import Case
from lexdesk.domain.deadlines import DeadlinePolicy, DueDate, due_for
from lexdesk.domain.errors import ConcurrencyConflict, InvalidInput, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Party
from lexdesk.domain.persons import IdentifierScheme, Person
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind, parse_choice
from lexdesk.services import audit
from lexdesk.services.context import acting_user, agency
from lexdesk.services.ports import UnitOfWork


def load_for_actor(
    uow: UnitOfWork, username: str, instrument_id: str, expected: int | None
) -> tuple[User, Case, Instrument]:
    user = acting_user(uow, username)
    case = uow.cases.of_instrument(instrument_id)
    if case is None:
        raise NotFound("instrument", instrument_id)
    instrument = case.instrument(instrument_id)
    if instrument.party_of(user.agency_id) is None:
        # Another agency's instrument does not exist for this user, rather than being forbidden.
        raise NotFound("instrument", instrument_id)
    if expected is not None and expected != instrument.version:
        raise ConcurrencyConflict("instrument", instrument_id, expected)
    return user, case, instrument


def record_change(
    uow: UnitOfWork,
    user: User | None,
    action: str,
    instrument: Instrument,
    source: str,
    **detail: str,
) -> None:
    """The change's audit entry, in the change's own unit of work: both commit or neither."""
    audit.record(
        uow,
        actor=user.username if user else audit.SYSTEM,
        agency=user.agency_id if user else "",
        action=action,
        object_type="instrument",
        object_id=instrument.id,
        source=source,
        detail={"kind": instrument.kind.value, "status": instrument.status.value, **detail},
    )


def require_party(user: User, instrument: Instrument, party: Party) -> None:
    if instrument.party_of(user.agency_id) is not party:
        raise NotPermitted(
            f"only the {party.value} of {instrument.id} may do this; {user.username} acts for "
            f"{user.agency_id}"
        )


def require_kind(found: Agency, kind: AgencyKind, does: str) -> None:
    if found.kind is not kind:
        raise InvalidInput(
            f"{found.id} is a {found.kind.value} agency: only a {kind.value} agency {does}"
        )


def find_person(uow: UnitOfWork, key: str, custodian: Agency) -> Person:
    scheme, _, value = key.partition(":")
    if value:
        scheme_of = parse_choice(IdentifierScheme, scheme, "identifier scheme")
        person = uow.persons.by_identifier(scheme_of, value)
    else:
        person = uow.persons.get(key)
    if person is None or person.owner_agency_id != custodian.id:
        raise NotFound(f"person held by {custodian.id}", key)
    return person


def open_case(
    uow: UnitOfWork, issuer: Agency, custodian: Agency, person: Person, now: datetime
) -> Case:
    for case in uow.cases.find(issuer.id, person.id):
        if case.status.value == "open" and case.custodial_agency_id == custodian.id:
            return case
    case = Case(new_id("cas"), issuer.id, custodian.id, person.id, now)
    uow.cases.add(case)
    return case


def person_of(uow: UnitOfWork, case: Case) -> Person:
    person = uow.persons.get(case.person_id)
    if person is None:
        raise NotFound("person", case.person_id)
    return person


def next_addressee(uow: UnitOfWork, case: Case, kind: AgencyKind, named: str | None) -> Agency:
    if kind is AgencyKind.CUSTODIAL:
        return agency(uow, case.custodial_agency_id)
    if not named:
        raise InvalidInput(f"name the {kind.value} agency to address this to (--to AGENCY)")
    found = agency(uow, named)
    require_kind(found, kind, "receives this instrument")
    return found


def due_for_addressee(
    kind: InstrumentKind,
    addressee: Agency,
    now: datetime,
    person: Person,
    return_date: datetime | None,
) -> DueDate | None:
    # The clock runs where the answer is owed: the addressee's time zone, holidays and periods.
    policy = DeadlinePolicy.from_json(addressee.deadline_policy)
    custody = person.current_custody()
    return due_for(
        kind,
        issued_at=now,
        policy=policy,
        calendar=calendar_for(policy.state),
        release_eligible_at=custody.expected_release_at if custody else None,
        return_date=return_date,
        now=now,
    )

"""What every verb on an instrument shares: loading it for an actor (seen as the policy lets
the actor see it, authorized for the verb), recording the change, opening the case, and due
dates on the addressee's clock under the addressee's law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.calendar import calendar_for
from lexdesk.domain.cases import Case
from lexdesk.domain.deadlines import DEFAULT_HOLD, DeadlinePolicy, DueDate, HoldBound, due_for
from lexdesk.domain.errors import (
    ConcurrencyConflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import find_transition
from lexdesk.domain.limits import REASON_MAX, within
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import IdentifierScheme, Person
from lexdesk.domain.visibility import InstrumentView
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind, a_or_an, parse_choice
from lexdesk.services import audit, views
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class Loaded:
    user: User
    case: Case
    instrument: Instrument
    #: The instrument as the user's agency may see it: a transition it may not learn of is
    #: not there, and no refusal may tell it otherwise.
    view: InstrumentView


def load_for_actor(
    uow: UnitOfWork,
    username: str,
    instrument_id: str,
    expected: int | None,
    permission: Permission,
) -> Loaded:
    """The instrument, for a user whose role grants ``permission``, whose agency may see it
    and is the side that takes the verb; otherwise the refusal, on the same terms for every
    door (``services.authorization``)."""
    user = acting_user(uow, username)
    authorize(user, permission)
    case = uow.cases.of_instrument(instrument_id)
    if case is None:
        raise NotFound("instrument", instrument_id)
    instrument = case.instrument(instrument_id)
    view = views.instrument_view(uow, user.agency_id, case, instrument)
    if view is None:
        # Another agency's instrument does not exist for this user, rather than being forbidden.
        raise NotFound("instrument", instrument_id)
    authorize(user, permission, instrument)
    if expected is not None and expected != view.version:
        raise ConcurrencyConflict("instrument", instrument_id, expected)
    return Loaded(user, case, instrument, view)


def require_transition(loaded: Loaded, name: str) -> None:
    """Refuse a transition that the status the actor sees does not allow, naming that status:
    an issuer that was not told the person left custody learns nothing from a refusal."""
    instrument, seen = loaded.instrument, loaded.view.status
    if find_transition(instrument.kind, seen, name) is None:
        raise IllegalTransition(instrument.id, instrument.kind.value, seen.value, name)


def record_change(
    desk: Desk,
    uow: UnitOfWork,
    user: User | None,
    action: str,
    instrument: Instrument,
    source: str,
    **detail: str,
) -> None:
    """The change's audit entry, in the change's own unit of work: both commit or neither. It
    names the real actor (the operator, for the command line, on behalf of the user) and both
    agencies of the instrument."""
    actor, behalf = audit_actor(desk, user.username) if user else (audit.SYSTEM, {})
    # What the issuer does reaches the addressee, and what the addressee does the issuer.
    by_issuer = user is None or user.agency_id == instrument.issuer_agency_id
    audit.record(
        uow,
        actor=actor,
        agency=user.agency_id if user else "",
        receiving_agency=(
            instrument.addressee_agency_id if by_issuer else instrument.issuer_agency_id
        ),
        action=action,
        object_type="instrument",
        object_id=instrument.id,
        source=source,
        detail={
            "kind": instrument.kind.value,
            "status": instrument.status.value,
            "issuer": instrument.issuer_agency_id,
            "addressee": instrument.addressee_agency_id,
            **behalf,
            **detail,
        },
    )


def require_kind(found: Agency, kind: AgencyKind, does: str) -> None:
    if found.kind is not kind:
        raise InvalidInput(
            f"{found.id} is {a_or_an(found.kind.value)} agency: only {a_or_an(kind.value)} agency "
            f"{does}"
        )


def require_reason(reason: str, what: str) -> str:
    """Every act that changes a status says why; the reason is kept with the event forever."""
    if not reason.strip():
        raise InvalidInput(f"{what} needs a reason: say why, it is kept with the event")
    return within(reason.strip(), REASON_MAX, "the reason")


def find_person(uow: UnitOfWork, key: str, custodian: Agency) -> Person:
    """The person the custodian's records know by ``key`` (an id, or scheme:value). Whether
    any other custodian knows them is never looked at, and never said."""
    scheme, _, value = key.partition(":")
    # The one lookup across agencies a request makes: by the exact key, at the custodian the
    # request names, and nothing is said unless that custodian holds the person.
    with uow.across_agencies():
        if value:
            scheme_of = parse_choice(IdentifierScheme, scheme, "identifier scheme")
            person = uow.persons.by_identifier(custodian.id, scheme_of, value)
        else:
            person = uow.persons.get(key)
    if person is None or person.owner_agency_id != custodian.id:
        raise NotFound(f"person held by {custodian.id}", key)
    return person


def open_case(
    uow: UnitOfWork,
    issuer: Agency,
    custodian: Agency,
    person: Person,
    subject: str,
    now: datetime,
) -> Case:
    """The open case between the two agencies about the person, or a new one. Two requests at
    once may both find none: the second insert is refused by the database's unique index
    (``OpenCaseRace``), and the caller retries and joins the first."""
    found = uow.cases.find_open(issuer.id, custodian.id, person.id)
    if found is not None:
        return found
    case = Case(new_id("cas"), issuer.id, custodian.id, person.id, now, subject=subject[:200])
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


def hold_bound(desk: Desk, addressee: Agency, now: datetime) -> HoldBound:
    """How long a hold may last under the addressee's law on the day."""
    if addressee.kind is not AgencyKind.CUSTODIAL or not addressee.rule_pack:
        return DEFAULT_HOLD
    zone = ZoneInfo(DeadlinePolicy.from_json(addressee.deadline_policy).timezone)
    return desk.rules.hold_bound(addressee.rule_pack, now.astimezone(zone).date())


def due_for_addressee(
    desk: Desk,
    kind: InstrumentKind,
    addressee: Agency,
    issued_at: datetime,
    person: Person,
    return_date: datetime | None,
    now: datetime | None = None,
) -> DueDate | None:
    # The clock runs where the answer is owed: the addressee's time zone, holidays, periods
    # and law (how long a hold may last).
    policy = DeadlinePolicy.from_json(addressee.deadline_policy)
    custody = person.current_custody()
    return due_for(
        kind,
        issued_at=issued_at,
        policy=policy,
        calendar=calendar_for(policy.state),
        release_eligible_at=custody.expected_release_at if custody else None,
        return_date=return_date,
        now=now or issued_at,
        hold=hold_bound(desk, addressee, now or issued_at),
    )

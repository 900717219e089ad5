"""The verbs of the process: issue, acknowledge, determine, escalate, withdraw, lapse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.calendar import calendar_for
from lexdesk.domain.cases import Case, Escalation
from lexdesk.domain.deadlines import DeadlinePolicy, DueDate, due_for
from lexdesk.domain.errors import (
    ConcurrencyConflict,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Determination, Instrument
from lexdesk.domain.lifecycle import Party
from lexdesk.domain.persons import IdentifierScheme, Person
from lexdesk.domain.vocabulary import (
    REQUEST_KINDS,
    AgencyKind,
    InstrumentKind,
    parse_actions,
    parse_choice,
    parse_kind,
    parse_outcome,
    parse_warrant,
)
from lexdesk.services import audit
from lexdesk.services.context import Desk, acting_user, agency
from lexdesk.services.evaluation import evaluate_for_determination
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class IssueInstrument:
    actor: str
    kind: str
    addressee: str
    person: str
    actions: tuple[str, ...]
    warrant: str = "none"
    return_date: datetime | None = None
    reference: str = ""
    reason: str = ""
    source: str = "cli"


@audit.records_denials("instrument.issue", "instrument")
def issue_instrument(desk: Desk, command: IssueInstrument) -> Instrument:
    """File the first instrument of a case (a request) about a person another agency holds."""
    kind = parse_kind(command.kind)
    if kind not in REQUEST_KINDS:
        raise InvalidInput(
            f"a {kind.value} is not filed directly: it comes from escalating the one below it"
        )
    actions, warrant = parse_actions(command.actions), parse_warrant(command.warrant)
    now = desk.clock.now()
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        issuer, custodian = agency(uow, user.agency_id), agency(uow, command.addressee)
        _require_kind(issuer, AgencyKind.IMMIGRATION, "files requests")
        _require_kind(custodian, AgencyKind.CUSTODIAL, "receives requests")
        person = _find_person(uow, command.person, custodian)
        case = _open_case(uow, issuer, custodian, person, now)
        instrument = Instrument(
            id=new_id("ins"),
            case_id=case.id,
            kind=kind,
            actions=actions,
            warrant=warrant,
            issuer_agency_id=issuer.id,
            addressee_agency_id=custodian.id,
            created_at=now,
            reference=command.reference,
        )
        due = _due(kind, custodian, now, person, command.return_date)
        instrument.issue(actor=user.username, at=now, due=due, reason=command.reason)
        case.add(instrument)
        _store(uow, case)
        _audit(uow, user, "instrument.issue", instrument, command.source, case=case.id)
        uow.commit()
    return instrument


@dataclass(frozen=True)
class Acknowledge:
    actor: str
    instrument_id: str
    expected_version: int | None = None
    reason: str = ""
    source: str = "cli"


@audit.records_denials("instrument.acknowledge", "instrument")
def acknowledge(desk: Desk, command: Acknowledge) -> Instrument:
    with desk.uow() as uow:
        user, case, instrument = _load(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        _require_party(user, instrument, instrument.rule_for("acknowledge").party)
        instrument.apply(
            "acknowledge", actor=user.username, at=desk.clock.now(), reason=command.reason
        )
        uow.cases.save(case)
        _audit(uow, user, "instrument.acknowledge", instrument, command.source)
        uow.commit()
    return instrument


@dataclass(frozen=True)
class Determine:
    actor: str
    instrument_id: str
    outcome: str
    reason: str
    released_fields: tuple[str, ...] = ()
    expected_version: int | None = None
    source: str = "cli"


@audit.records_denials("instrument.determine", "instrument")
def determine(desk: Desk, command: Determine) -> Instrument:
    """Record the addressee's answer, resting on the rule engine's evaluation of its law."""
    outcome = parse_outcome(command.outcome)
    if not command.reason.strip():
        raise InvalidInput(
            "a determination needs a reason: say why, citing the rule where one decided"
        )
    with desk.uow() as uow:
        user, case, instrument = _load(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        _require_party(user, instrument, Party.ADDRESSEE)
        addressee = agency(uow, instrument.addressee_agency_id)
        evaluation = evaluate_for_determination(
            desk.rules,
            addressee,
            instrument,
            _person(uow, case),
            command.released_fields,
            desk.clock.now(),
        )
        determination = Determination(
            outcome=outcome,
            reason=command.reason.strip(),
            released_fields=tuple(dict.fromkeys(command.released_fields)),
            determined_by=user.username,
            determined_at=desk.clock.now(),
            evaluation=evaluation,
        )
        instrument.determine(determination)
        case.close_if_denied(instrument)
        uow.cases.save(case)
        _audit(uow, user, "instrument.determine", instrument, command.source, outcome=outcome.value)
        uow.commit()
    return instrument


@dataclass(frozen=True)
class Escalate:
    actor: str
    instrument_id: str
    reason: str
    addressee: str | None = None
    actions: tuple[str, ...] = ()
    return_date: datetime | None = None
    reference: str = ""
    expected_version: int | None = None
    source: str = "cli"


@audit.records_denials("instrument.escalate", "instrument")
def escalate(desk: Desk, command: Escalate) -> Instrument:
    """Take an instrument to the next rung of the ladder, appending the new one to the case."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user, case, parent = _load(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        rung = case.escalation_rung(parent)
        _require_party(user, parent, rung.next_issuer)
        addressee = _next_addressee(uow, case, rung.next_addressee, command.addressee)
        due = _due(rung.target, addressee, now, _person(uow, case), command.return_date)
        child = case.escalate(
            parent,
            Escalation(
                new_id=new_id("ins"),
                addressee_agency_id=addressee.id,
                actions=parse_actions(command.actions) if command.actions else None,
                actor=user.username,
                at=now,
                reason=command.reason,
                due=due,
                reference=command.reference,
            ),
        )
        uow.cases.save(case)
        _audit(uow, user, "instrument.escalate", child, command.source, parent=parent.id)
        uow.commit()
    return child


@dataclass(frozen=True)
class Withdraw:
    actor: str
    instrument_id: str
    reason: str
    expected_version: int | None = None
    source: str = "cli"


@audit.records_denials("instrument.withdraw", "instrument")
def withdraw(desk: Desk, command: Withdraw) -> Instrument:
    with desk.uow() as uow:
        user, case, instrument = _load(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        _require_party(user, instrument, instrument.rule_for("withdraw").party)
        instrument.apply(
            "withdraw", actor=user.username, at=desk.clock.now(), reason=command.reason
        )
        uow.cases.save(case)
        _audit(uow, user, "instrument.withdraw", instrument, command.source)
        uow.commit()
    return instrument


def lapse_overdue(desk: Desk, instrument_ids: list[str]) -> list[Instrument]:
    """Mark overdue instruments lapsed (the sweeper's verb). Each in its own unit of work, so one
    conflict does not hold back the rest; one already moved on by someone else is skipped."""
    lapsed = []
    for instrument_id in instrument_ids:
        with desk.uow() as uow:
            case = uow.cases.of_instrument(instrument_id)
            if case is None:
                continue
            instrument, now = case.instrument(instrument_id), desk.clock.now()
            if not instrument.is_open or instrument.due_at is None or instrument.due_at > now:
                continue
            instrument.apply(
                "lapse",
                actor="system",
                at=now,
                reason=f"due {instrument.due_at.isoformat()} passed",
            )
            try:
                uow.cases.save(case)
                _audit(uow, None, "instrument.lapse", instrument, "system")
                uow.commit()
            except ConcurrencyConflict:
                continue
            lapsed.append(instrument)
    return lapsed


def _load(
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


def _audit(
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


def _require_party(user: User, instrument: Instrument, party: Party) -> None:
    if instrument.party_of(user.agency_id) is not party:
        raise NotPermitted(
            f"only the {party.value} of {instrument.id} may do this; {user.username} acts for "
            f"{user.agency_id}"
        )


def _require_kind(found: Agency, kind: AgencyKind, does: str) -> None:
    if found.kind is not kind:
        raise InvalidInput(
            f"{found.id} is a {found.kind.value} agency: only a {kind.value} agency {does}"
        )


def _find_person(uow: UnitOfWork, key: str, custodian: Agency) -> Person:
    scheme, _, value = key.partition(":")
    if value:
        scheme_of = parse_choice(IdentifierScheme, scheme, "identifier scheme")
        person = uow.persons.by_identifier(scheme_of, value)
    else:
        person = uow.persons.get(key)
    if person is None or person.owner_agency_id != custodian.id:
        raise NotFound(f"person held by {custodian.id}", key)
    return person


def _open_case(
    uow: UnitOfWork, issuer: Agency, custodian: Agency, person: Person, now: datetime
) -> Case:
    for case in uow.cases.find(issuer.id, person.id):
        if case.status.value == "open" and case.custodial_agency_id == custodian.id:
            return case
    case = Case(new_id("cas"), issuer.id, custodian.id, person.id, now)
    uow.cases.add(case)
    return case


def _store(uow: UnitOfWork, case: Case) -> None:
    uow.cases.save(case)


def _person(uow: UnitOfWork, case: Case) -> Person:
    person = uow.persons.get(case.person_id)
    if person is None:
        raise NotFound("person", case.person_id)
    return person


def _next_addressee(uow: UnitOfWork, case: Case, kind: AgencyKind, named: str | None) -> Agency:
    if kind is AgencyKind.CUSTODIAL:
        return agency(uow, case.custodial_agency_id)
    if not named:
        raise InvalidInput(f"name the {kind.value} agency to address this to (--to AGENCY)")
    found = agency(uow, named)
    _require_kind(found, kind, "receives this instrument")
    return found


def _due(
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

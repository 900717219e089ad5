"""The verbs of the process: issue, acknowledge, determine and withdraw an instrument.

Escalation and lapsing live in ``escalation``; they are re-exported here so that a caller has
one place for every verb."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.errors import (
    InvalidInput,
)
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Determination, Instrument
from lexdesk.domain.lifecycle import Party
from lexdesk.domain.vocabulary import (
    REQUEST_KINDS,
    AgencyKind,
    parse_actions,
    parse_kind,
    parse_outcome,
    parse_warrant,
)
from lexdesk.services import audit
from lexdesk.services.context import Desk, acting_user, agency
from lexdesk.services.escalation import Escalate, escalate, lapse_overdue
from lexdesk.services.evaluation import evaluate_for_determination
from lexdesk.services.instrument_access import (
    due_for_addressee,
    find_person,
    load_for_actor,
    open_case,
    person_of,
    record_change,
    require_kind,
    require_party,
)

__all__ = [
    "Acknowledge",
    "Determine",
    "Escalate",
    "IssueInstrument",
    "Withdraw",
    "acknowledge",
    "determine",
    "escalate",
    "issue_instrument",
    "lapse_overdue",
    "withdraw",
]


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
        require_kind(issuer, AgencyKind.IMMIGRATION, "files requests")
        require_kind(custodian, AgencyKind.CUSTODIAL, "receives requests")
        person = find_person(uow, command.person, custodian)
        case = open_case(uow, issuer, custodian, person, now)
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
        due = due_for_addressee(kind, custodian, now, person, command.return_date)
        instrument.issue(actor=user.username, at=now, due=due, reason=command.reason)
        case.add(instrument)
        uow.cases.save(case)
        record_change(uow, user, "instrument.issue", instrument, command.source, case=case.id)
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
    return _take(
        desk,
        "acknowledge",
        command.actor,
        command.instrument_id,
        command.expected_version,
        command.reason,
        command.source,
    )


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
        user, case, instrument = load_for_actor(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        require_party(user, instrument, Party.ADDRESSEE)
        addressee = agency(uow, instrument.addressee_agency_id)
        evaluation = evaluate_for_determination(
            desk.rules,
            addressee,
            instrument,
            person_of(uow, case),
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
        record_change(
            uow, user, "instrument.determine", instrument, command.source, outcome=outcome.value
        )
        uow.commit()
    return instrument


@dataclass(frozen=True)
class Withdraw:
    actor: str
    instrument_id: str
    reason: str
    expected_version: int | None = None
    source: str = "cli"


@audit.records_denials("instrument.withdraw", "instrument")
def withdraw(desk: Desk, command: Withdraw) -> Instrument:
    return _take(
        desk,
        "withdraw",
        command.actor,
        command.instrument_id,
        command.expected_version,
        command.reason,
        command.source,
    )


def _take(
    desk: Desk,
    name: str,
    actor: str,
    instrument_id: str,
    expected: int | None,
    reason: str,
    source: str,
) -> Instrument:
    """A transition that changes nothing but the status: the table says who may take it."""
    with desk.uow() as uow:
        user, case, instrument = load_for_actor(uow, actor, instrument_id, expected)
        require_party(user, instrument, instrument.rule_for(name).party)
        instrument.apply(name, actor=user.username, at=desk.clock.now(), reason=reason)
        uow.cases.save(case)
        record_change(uow, user, f"instrument.{name}", instrument, source)
        uow.commit()
    return instrument

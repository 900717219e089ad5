"""The verbs of the process: issue, acknowledge, determine and withdraw an instrument.

Escalation and lapsing live in ``escalation``; they are re-exported here so that a caller has
one place for every verb. Each verb checks role and side (``authorization``), records the
change with its audit entry, and stores what each party may now see (``views``), in one unit
of work. ``preview_issue`` runs every check that issuing would, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain import answers
from lexdesk.domain.agencies import Role
from lexdesk.domain.disclosure import release_for
from lexdesk.domain.errors import InvalidInput, OpenCaseRace
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Determination, Instrument
from lexdesk.domain.limits import PERSON_KEY_MAX, REASON_MAX, REFERENCE_MAX, within
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import InstrumentView
from lexdesk.domain.vocabulary import (
    REQUEST_KINDS,
    AgencyKind,
    InstrumentKind,
    Outcome,
    a_or_an,
    parse_actions,
    parse_kind,
    parse_outcome,
    parse_warrant,
)
from lexdesk.services import audit, views
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.escalation import (
    Escalate,
    escalate,
    lapse_overdue,
    preview_escalation,
)
from lexdesk.services.evaluation import evaluate_for_determination
from lexdesk.services.instrument_access import (
    Loaded,
    due_for_addressee,
    find_person,
    load_for_actor,
    open_case,
    person_of,
    record_change,
    require_kind,
    require_reason,
    require_transition,
)
from lexdesk.services.ports import UnitOfWork

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
    "issue_within",
    "lapse_overdue",
    "preview_escalation",
    "preview_issue",
    "withdraw",
]
#: How often a request that lost the race to open a case is tried again (it then joins it).
CASE_RACE_TRIES = 3


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
    """File the first instrument of a case (a request) about a person another agency holds;
    it joins the open case between the two agencies about the person, or opens one."""
    for attempt in range(CASE_RACE_TRIES):
        try:
            with desk.uow() as uow:
                instrument = _issue(desk, uow, command)
                uow.commit()
            return instrument
        except OpenCaseRace:
            if attempt == CASE_RACE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def issue_within(desk: Desk, uow: UnitOfWork, command: IssueInstrument) -> Instrument:
    """Issue inside the caller's unit of work, which commits (several requests at once, all or
    none: ``services.exchange``) and tries again on ``OpenCaseRace``."""
    return _issue(desk, uow, command)


def preview_issue(desk: Desk, command: IssueInstrument) -> InstrumentView:
    """Every check that issuing makes, and the instrument as its issuer would see it, with
    nothing written: the review step before Send."""
    return views.dry_run(desk, lambda uow: _issue(desk, uow, command))


def _issue(desk: Desk, uow: UnitOfWork, command: IssueInstrument) -> Instrument:
    kind = parse_kind(command.kind)
    if kind not in REQUEST_KINDS:
        raise InvalidInput(
            f"{a_or_an(kind.value)} is not filed directly: "
            "it comes from escalating the one below it"
        )
    actions, warrant = parse_actions(command.actions), parse_warrant(command.warrant)
    within(command.person, PERSON_KEY_MAX, "the person's identifier")
    within(command.reference, REFERENCE_MAX, "the form or file number")
    within(command.reason.strip(), REASON_MAX, "the note")
    now = desk.clock.now()
    user = acting_user(uow, command.actor)
    authorize(user, Permission.INSTRUMENT_ISSUE)
    issuer, custodian = agency(uow, user.agency_id), agency(uow, command.addressee)
    require_kind(issuer, AgencyKind.IMMIGRATION, "files requests")
    require_kind(custodian, AgencyKind.CUSTODIAL, "receives requests")
    person = find_person(uow, command.person, custodian)
    case = open_case(uow, issuer, custodian, person, command.person, now)
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
        produce_to=(issuer.id,),
    )
    due = due_for_addressee(desk, kind, custodian, now, person, command.return_date)
    reason = command.reason.strip() or f"{kind.value.replace('_', ' ')} issued"
    instrument.issue(actor=user.username, at=now, due=due, reason=reason)
    case.add(instrument)
    views.store(uow, case, user.agency_id)
    record_change(desk, uow, user, "instrument.issue", instrument, command.source, case=case.id)
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
    """The addressee confirms receipt (the act is its own reason when none is given)."""
    reason = within(command.reason.strip(), REASON_MAX, "the reason") or "receipt acknowledged"
    return _take(desk, "acknowledge", Permission.INSTRUMENT_ACKNOWLEDGE, command, reason)


@dataclass(frozen=True)
class Determine:
    actor: str
    instrument_id: str
    outcome: str
    reason: str
    released_fields: tuple[str, ...] = ()
    expected_version: int | None = None
    source: str = "cli"
    #: The requested actions performed, for a partial answer (its fields: ``released_fields``).
    actions_performed: tuple[str, ...] = ()
    #: Why counsel departs from the evaluation, when the answer contradicts it.
    override_reason: str | None = None


@audit.records_denials("instrument.determine", "instrument")
def determine(desk: Desk, command: Determine) -> Instrument:
    """Record the addressee's answer, resting on the rule engine's evaluation of its law: an
    answer that contradicts it needs an override. What it releases goes into the ledger, to
    the instrument's recipients, as it stands now."""
    outcome = parse_outcome(command.outcome)
    reason = require_reason(command.reason, "a determination")
    with desk.uow() as uow:
        loaded = load_for_actor(
            uow,
            command.actor,
            command.instrument_id,
            command.expected_version,
            Permission.INSTRUMENT_DETERMINE,
        )
        require_transition(loaded, "determine")
        user, case, instrument = loaded.user, loaded.case, loaded.instrument
        addressee, person = agency(uow, instrument.addressee_agency_id), person_of(uow, case)
        now = desk.clock.now()
        requester = agency(uow, case.requesting_agency_id)
        evaluation = evaluate_for_determination(
            desk.rules, addressee, instrument, person, now, requester
        )
        determination = _answer(command, loaded, outcome, reason, evaluation, now)
        instrument.determine(determination)
        release = release_for(new_id("rel"), instrument, person, addressee.id)
        case.close_if_settled()
        if release is not None:
            uow.releases.add(release)
            _record_release(desk, uow, loaded, release.id, sorted(release.fields), command.source)
        views.store(uow, case, user.agency_id)
        detail = {"outcome": outcome.value}
        if determination.override:
            detail["override"] = "yes"
        record_change(desk, uow, user, "instrument.determine", instrument, command.source, **detail)
        uow.commit()
    return instrument


def _answer(
    command: Determine,
    loaded: Loaded,
    outcome: Outcome,
    reason: str,
    evaluation: dict[str, object] | None,
    now: datetime,
) -> Determination:
    instrument, user = loaded.instrument, loaded.user
    released = tuple(dict.fromkeys(command.released_fields))
    performed: tuple[str, ...] = ()
    override: answers.Override | None = None
    if instrument.kind not in (InstrumentKind.ENFORCEMENT_PETITION, InstrumentKind.REFERRAL):
        performed, released = answers.performed_actions(
            outcome, instrument.actions, tuple(command.actions_performed), released
        )
        found: tuple[answers.Contradiction, ...] = ()
        if evaluation is not None:
            result = evaluation.get("result")
            decided = result.get("actions", {}) if isinstance(result, dict) else {}
            found = answers.contradictions(instrument.actions, performed, decided)
        override = answers.checked_override(
            command.override_reason, user.username, Role.LEGAL in user.roles, now, found
        )
        if found and override is None:
            raise answers.LawContradicted(outcome.value, found)
    elif command.actions_performed or command.override_reason:
        raise InvalidInput(
            f"{a_or_an(instrument.kind.value)} is ruled on, not performed: no actions"
        )
    return Determination(
        outcome=outcome,
        reason=reason,
        released_fields=released,
        determined_by=user.username,
        determined_at=now,
        evaluation=evaluation,
        actions_performed=performed,
        override=override,
    )


def _record_release(
    desk: Desk, uow: UnitOfWork, loaded: Loaded, release_id: str, fields: list[str], source: str
) -> None:
    actor, behalf = audit_actor(desk, loaded.user.username)
    audit.record(
        uow,
        actor=actor,
        agency=loaded.user.agency_id,
        action="disclosure.release",
        receiving_agency=",".join(loaded.instrument.produce_to)[:63],
        object_type="release",
        object_id=release_id,
        source=source,
        detail={
            "instrument": loaded.instrument.id,
            "fields": fields,
            "recipients": list(loaded.instrument.produce_to),
            **behalf,
        },
    )


@dataclass(frozen=True)
class Withdraw:
    actor: str
    instrument_id: str
    reason: str
    expected_version: int | None = None
    source: str = "cli"


@audit.records_denials("instrument.withdraw", "instrument")
def withdraw(desk: Desk, command: Withdraw) -> Instrument:
    reason = require_reason(command.reason, "a withdrawal")
    return _take(desk, "withdraw", Permission.INSTRUMENT_WITHDRAW, command, reason)


def _take(
    desk: Desk,
    name: str,
    permission: Permission,
    command: Acknowledge | Withdraw,
    reason: str,
) -> Instrument:
    """A transition that changes nothing but the status: the table says who may take it."""
    with desk.uow() as uow:
        loaded = load_for_actor(
            uow, command.actor, command.instrument_id, command.expected_version, permission
        )
        require_transition(loaded, name)
        instrument, case = loaded.instrument, loaded.case
        instrument.apply(name, actor=loaded.user.username, at=desk.clock.now(), reason=reason)
        case.close_if_settled()
        views.store(uow, case, loaded.user.agency_id)
        record_change(desk, uow, loaded.user, f"instrument.{name}", instrument, command.source)
        uow.commit()
    return instrument

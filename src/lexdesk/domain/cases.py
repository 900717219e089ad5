"""The case: one matter between a requesting and a custodial agency about one person.

It holds the chain of instruments in order, and it is where escalation happens, because
escalating closes one link and appends the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from lexdesk.domain.errors import EscalationRefused, InvalidInput
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Party, Rung, find_transition, next_rung
from lexdesk.domain.vocabulary import (
    RECORD_KINDS,
    InstrumentKind,
    InstrumentStatus,
    Warrant,
    a_or_an,
    disclosed_field,
)

if TYPE_CHECKING:
    from lexdesk.domain.deadlines import DueDate


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Escalation:
    """What the escalating user supplies; the ladder supplies the rest."""

    new_id: str
    addressee_agency_id: str
    actions: tuple[str, ...] | None
    actor: str
    at: datetime
    reason: str
    due: DueDate | None = None
    reference: str = ""
    #: For a court order: the agencies the court orders production to (default: the agency
    #: whose subpoena the order enforces). Ignored for other kinds.
    produce_to: tuple[str, ...] = ()


@dataclass
class Case:
    id: str
    requesting_agency_id: str
    custodial_agency_id: str
    person_id: str
    opened_at: datetime
    status: CaseStatus = CaseStatus.OPEN
    instruments: list[Instrument] = field(default_factory=list)
    version: int = 0
    #: The person as the requesting agency named them when it opened the case (an identifier
    #: such as ``nysid:12345678A``): how every agency but the holder knows them.
    subject: str = ""

    def instrument(self, instrument_id: str) -> Instrument:
        for item in self.instruments:
            if item.id == instrument_id:
                return item
        raise InvalidInput(f"instrument {instrument_id} is not part of case {self.id}")

    def add(self, instrument: Instrument) -> None:
        if self.status is CaseStatus.CLOSED:
            raise InvalidInput(f"case {self.id} is closed: open a new case")
        self.instruments.append(instrument)

    def close_if_settled(self) -> bool:
        """Close the case when every instrument in it is settled (nothing but a withdrawal can
        move it: answered, denied, withdrawn, moot, escalated to one that is settled too); a
        new request about the person then opens a new case. Whether it closed now."""
        if self.status is CaseStatus.OPEN and all(i.is_settled for i in self.instruments):
            self.status = CaseStatus.CLOSED
            return True
        return False

    def escalation_rung(self, parent: Instrument, seen: InstrumentStatus | None = None) -> Rung:
        """The rung above ``parent``, or a refusal that says when it may be climbed. ``seen``
        is the status the escalating agency sees, which the refusal names (an agency that may
        not learn of a transition learns nothing from a refusal either)."""
        rung = next_rung(parent.kind)
        if rung is None:
            raise EscalationRefused(
                f"{a_or_an(parent.kind.value)} is the top of the ladder: nothing escalates from it "
                "(non-compliance with a court order is for the court)"
            )
        status = seen or parent.status
        escalable = find_transition(parent.kind, status, "escalate") is not None
        if not escalable or find_transition(parent.kind, parent.status, "escalate") is None:
            raise EscalationRefused(
                f"instrument {parent.id} ({parent.kind.value}) is {status.value}: "
                f"{a_or_an(parent.kind.value)} escalates to {rung.target.value} only when "
                f"{_escalable_from(parent.kind)}"
            )
        return rung

    def escalate(self, parent: Instrument, escalation: Escalation) -> Instrument:
        rung = self.escalation_rung(parent)
        issuer = (
            parent.issuer_agency_id
            if rung.next_issuer is Party.ISSUER
            else parent.addressee_agency_id
        )
        actions = _bounded(rung.target, parent, escalation.actions or _inherited_actions(parent))
        child = Instrument(
            id=escalation.new_id,
            case_id=self.id,
            kind=rung.target,
            actions=actions,
            warrant=Warrant.NONE
            if rung.target is not InstrumentKind.COURT_ORDER
            else Warrant.JUDICIAL,
            issuer_agency_id=issuer,
            addressee_agency_id=escalation.addressee_agency_id,
            created_at=escalation.at,
            parent_id=parent.id,
            reference=escalation.reference,
            produce_to=self._production(rung.target, issuer, escalation.produce_to),
        )
        parent.apply(
            "escalate",
            actor=escalation.actor,
            at=escalation.at,
            reason=escalation.reason,
            changes={"escalated_to": child.id, "kind": child.kind.value},
        )
        child.issue(
            actor=escalation.actor, at=escalation.at, due=escalation.due, reason=escalation.reason
        )
        self.add(child)
        return child

    def _production(
        self, kind: InstrumentKind, issuer: str, named: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Who receives what the next instrument's addressee releases: the subpoena's issuer;
        for a court order, whom the court names among the agency whose subpoena it enforces
        and the court itself (by default that agency alone); nobody for a referral or a
        petition, which nobody answers with records."""
        if kind is InstrumentKind.ADMINISTRATIVE_SUBPOENA:
            return (issuer,)
        if kind is not InstrumentKind.COURT_ORDER:
            return ()
        allowed = (self.requesting_agency_id, issuer)
        chosen = tuple(dict.fromkeys(named)) or (self.requesting_agency_id,)
        stray = [agency for agency in chosen if agency not in allowed]
        if stray:
            raise InvalidInput(
                f"a court order is produced to {' or '.join(allowed)}, not {', '.join(stray)}"
            )
        return chosen


def _bounded(kind: InstrumentKind, parent: Instrument, actions: tuple[str, ...]) -> tuple[str, ...]:
    """Each rung carries only what it may: a subpoena, referral, petition or order demands
    records (``disclose:*``) only; a referral and a petition no more than the instrument they
    carry up; a court order no more than the court granted."""
    if kind in RECORD_KINDS:
        physical = [a for a in actions if not disclosed_field(a)]
        if physical:
            raise InvalidInput(
                f"{a_or_an(kind.value)} demands records only (disclose:<field>): remove "
                f"{', '.join(physical)}"
            )
    if kind is InstrumentKind.COURT_ORDER:
        allowed, basis = parent.granted_scope, "the court granted"
    elif kind in (InstrumentKind.REFERRAL, InstrumentKind.ENFORCEMENT_PETITION):
        allowed, basis = parent.actions, f"the {parent.kind.value} asked for"
    else:
        return actions
    excess = [a for a in actions if a not in allowed]
    if excess:
        raise InvalidInput(
            f"{', '.join(excess)} goes beyond what {basis} ({', '.join(allowed) or 'nothing'}):"
            " remove it"
        )
    return actions


def _escalable_from(kind: InstrumentKind) -> str:
    from lexdesk.domain.lifecycle import TRANSITIONS

    states = sorted(
        {row.source.value for row in TRANSITIONS if row.name == "escalate" and kind in row.kinds}
    )
    return "it is " + " or ".join(states)


def _inherited_actions(parent: Instrument) -> tuple[str, ...]:
    """A subpoena demands records, so an escalated request carries over only its disclosures;
    a court order carries the scope the court granted (narrowed or not)."""
    if parent.kind is InstrumentKind.ENFORCEMENT_PETITION:
        return parent.granted_scope
    disclosures = tuple(a for a in parent.actions if disclosed_field(a))
    if not disclosures:
        raise InvalidInput(
            f"{parent.id} asks for no records ({', '.join(parent.actions)}): "
            "name the fields the next instrument demands, e.g. disclose:release_date"
        )
    return disclosures


__all__ = ["Case", "CaseStatus", "Escalation", "InstrumentStatus"]

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
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
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

    def instrument(self, instrument_id: str) -> Instrument:
        for item in self.instruments:
            if item.id == instrument_id:
                return item
        raise InvalidInput(f"instrument {instrument_id} is not part of case {self.id}")

    def add(self, instrument: Instrument) -> None:
        if self.status is CaseStatus.CLOSED:
            raise InvalidInput(f"case {self.id} is closed: open a new case")
        self.instruments.append(instrument)

    def close_if_denied(self, instrument: Instrument) -> None:
        # A denied petition ends the matter: the ladder has no rung above it.
        if instrument.determination and instrument.determination.outcome is Outcome.DENIED:
            self.status = CaseStatus.CLOSED

    def escalation_rung(self, parent: Instrument) -> Rung:
        rung = next_rung(parent.kind)
        if rung is None:
            raise EscalationRefused(
                f"a {parent.kind.value} is the top of the ladder: nothing escalates from it "
                "(non-compliance with a court order is for the court)"
            )
        if find_transition(parent.kind, parent.status, "escalate") is None:
            raise EscalationRefused(
                f"instrument {parent.id} ({parent.kind.value}) is {parent.status.value}: "
                f"a {parent.kind.value} escalates to {rung.target.value} only when "
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
        child = Instrument(
            id=escalation.new_id,
            case_id=self.id,
            kind=rung.target,
            actions=escalation.actions or _inherited_actions(parent),
            warrant=Warrant.NONE
            if rung.target is not InstrumentKind.COURT_ORDER
            else Warrant.JUDICIAL,
            issuer_agency_id=issuer,
            addressee_agency_id=escalation.addressee_agency_id,
            created_at=escalation.at,
            parent_id=parent.id,
            reference=escalation.reference,
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


def _escalable_from(kind: InstrumentKind) -> str:
    from lexdesk.domain.lifecycle import TRANSITIONS

    states = sorted(
        {row.source.value for row in TRANSITIONS if row.name == "escalate" and kind in row.kinds}
    )
    return "it is " + " or ".join(states)


def _inherited_actions(parent: Instrument) -> tuple[str, ...]:
    """A subpoena demands records, so an escalated request carries over only its disclosures;
    a court order carries the scope the court granted (narrowed or not)."""
    det = parent.determination
    if parent.kind is InstrumentKind.ENFORCEMENT_PETITION and det and det.released_fields:
        return tuple(f"disclose:{name}" for name in det.released_fields)
    disclosures = tuple(a for a in parent.actions if disclosed_field(a))
    if not disclosures:
        raise InvalidInput(
            f"{parent.id} asks for no records ({', '.join(parent.actions)}): "
            "name the fields the next instrument demands, e.g. disclose:release_date"
        )
    return disclosures


__all__ = ["Case", "CaseStatus", "Escalation", "InstrumentStatus"]

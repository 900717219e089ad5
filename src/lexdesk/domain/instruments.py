"""An instrument: one legal document in a case, with its own clock and its own history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lexdesk.domain.errors import IllegalTransition, InvalidInput
from lexdesk.domain.lifecycle import Party, Transition, find_transition
from lexdesk.domain.vocabulary import (
    ANSWER_OUTCOMES,
    OPEN_STATUSES,
    PETITION_OUTCOMES,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
    disclosed_field,
)

if TYPE_CHECKING:
    from lexdesk.domain.deadlines import DueDate


@dataclass(frozen=True)
class Determination:
    """The addressee's answer, with the rule evaluation it rests on."""

    outcome: Outcome
    reason: str
    released_fields: tuple[str, ...]
    determined_by: str
    determined_at: datetime
    #: pack id, version, content hash, inputs and result of the rule engine; None where no
    #: rule pack governs the addressee (a court, a U.S. Attorney).
    evaluation: dict[str, Any] | None = None


@dataclass(frozen=True)
class InstrumentEvent:
    """One transition, as it is kept forever: who, when, from, to, why, what changed."""

    instrument_id: str
    case_id: str
    transition: str
    from_status: InstrumentStatus | None
    to_status: InstrumentStatus
    actor: str
    at: datetime
    reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instrument:
    id: str
    case_id: str
    kind: InstrumentKind
    actions: tuple[str, ...]
    warrant: Warrant
    issuer_agency_id: str
    addressee_agency_id: str
    created_at: datetime
    parent_id: str | None = None
    status: InstrumentStatus = InstrumentStatus.DRAFT
    issued_at: datetime | None = None
    due: DueDate | None = None
    reference: str = ""
    determination: Determination | None = None
    #: Optimistic-concurrency version: the one this object was loaded at.
    version: int = 0
    #: Events recorded since the instrument was loaded, for the repository to store.
    new_events: list[InstrumentEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_at(self) -> datetime | None:
        return self.due.due_at if self.due else None

    def party_of(self, agency_id: str) -> Party | None:
        if agency_id == self.issuer_agency_id:
            return Party.ISSUER
        if agency_id == self.addressee_agency_id:
            return Party.ADDRESSEE
        return None

    def rule_for(self, name: str, target: InstrumentStatus | None = None) -> Transition:
        row = find_transition(self.kind, self.status, name, target)
        if row is None:
            raise IllegalTransition(self.id, self.kind.value, self.status.value, name)
        return row

    def apply(
        self,
        name: str,
        *,
        actor: str,
        at: datetime,
        reason: str = "",
        target: InstrumentStatus | None = None,
        changes: dict[str, Any] | None = None,
    ) -> InstrumentEvent:
        """Take transition ``name``; the table decides whether it is allowed and where it leads."""
        row = self.rule_for(name, target)
        event = InstrumentEvent(
            instrument_id=self.id,
            case_id=self.case_id,
            transition=name,
            from_status=self.status,
            to_status=row.target,
            actor=actor,
            at=at,
            reason=reason,
            changes=changes or {},
        )
        self.status = row.target
        self.new_events.append(event)
        return event

    def issue(self, *, actor: str, at: datetime, due: DueDate | None, reason: str = "") -> None:
        changes: dict[str, Any] = {"due": due.to_json() if due else None}
        self.apply("issue", actor=actor, at=at, reason=reason, changes=changes)
        self.issued_at = at
        self.due = due

    def determine(self, determination: Determination) -> InstrumentEvent:
        allowed = (
            PETITION_OUTCOMES
            if self.kind is InstrumentKind.ENFORCEMENT_PETITION
            else ANSWER_OUTCOMES
        )
        if determination.outcome not in allowed:
            names = ", ".join(sorted(o.value for o in allowed))
            raise InvalidInput(
                f"a {self.kind.value} is answered with {names}, not {determination.outcome.value}"
            )
        self._check_released(determination)
        event = self.apply(
            "determine",
            actor=determination.determined_by,
            at=determination.determined_at,
            reason=determination.reason,
            target=InstrumentStatus(determination.outcome.value),
            changes={
                "outcome": determination.outcome.value,
                "released": list(determination.released_fields),
            },
        )
        self.determination = determination
        return event

    def _check_released(self, determination: Determination) -> None:
        asked = {f for f in (disclosed_field(a) for a in self.actions) if f}
        extra = [f for f in determination.released_fields if f not in asked]
        if extra:
            raise InvalidInput(
                f"{', '.join(extra)} was not asked for by {self.id}: "
                f"release only requested fields ({', '.join(sorted(asked)) or 'none'})"
            )
        if determination.outcome is Outcome.DECLINED and determination.released_fields:
            raise InvalidInput("a declined instrument releases nothing: remove the released fields")

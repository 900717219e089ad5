"""An instrument: one legal document in a case, with its own clock and its own history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lexdesk.domain.answers import Override
from lexdesk.domain.errors import IllegalTransition, InvalidInput
from lexdesk.domain.lifecycle import Party, Transition, find_transition, is_settled
from lexdesk.domain.vocabulary import (
    ANSWER_OUTCOMES,
    DISCLOSE_PREFIX,
    OPEN_STATUSES,
    PETITION_OUTCOMES,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
    a_or_an,
    disclosed_field,
)

if TYPE_CHECKING:
    from lexdesk.domain.deadlines import DueDate


@dataclass(frozen=True)
class Determination:
    """The addressee's answer, with the rule evaluation it rests on.

    For an answer: the actions it performed and the fields it released (``answers``). For a
    court's ruling on a petition: ``released_fields`` are the fields the court ordered produced
    (all the petition asked for when ``granted``); a ruling releases nothing by itself."""

    outcome: Outcome
    reason: str
    released_fields: tuple[str, ...]
    determined_by: str
    determined_at: datetime
    #: pack id, version, content hash, inputs and result of the rule engine; None where no
    #: rule pack governs the addressee (a court, a U.S. Attorney).
    evaluation: dict[str, Any] | None = None
    #: The requested actions this answer performed (``disclose:<field>`` for each release).
    actions_performed: tuple[str, ...] = ()
    #: Present when the answer departs from the evaluation (``domain.answers``).
    override: Override | None = None

    @property
    def evaluated_actions(self) -> dict[str, Any]:
        """The engine's decision per action (status, rule, citation, ...), or {} unevaluated."""
        if not self.evaluation:
            return {}
        found: dict[str, Any] = self.evaluation.get("result", {}).get("actions", {})
        return found


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
    #: The agencies that receive what the addressee releases in answer: the issuer of a request
    #: or subpoena; for a court order, those the court names (the agency whose subpoena it
    #: enforces, by default). See ``domain.disclosure``.
    produce_to: tuple[str, ...] = ()
    #: Recorded from paper by its addressee (that agency's id): the issuer has not issued it
    #: through the desk, and its copy says so until it confirms the record.
    recorded_by: str | None = None
    confirmed_at: datetime | None = None
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

    @property
    def is_settled(self) -> bool:
        return is_settled(self.kind, self.status)

    @property
    def granted_scope(self) -> tuple[str, ...]:
        """For a granted petition, the actions the court ordered; otherwise nothing."""
        det = self.determination
        if self.kind is not InstrumentKind.ENFORCEMENT_PETITION or det is None:
            return ()
        if det.outcome is Outcome.GRANTED:
            return self.actions
        if det.outcome is Outcome.GRANTED_NARROWED:
            return tuple(DISCLOSE_PREFIX + name for name in det.released_fields)
        return ()

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

    @property
    def awaits_confirmation(self) -> bool:
        """Recorded from paper by its addressee, and not yet confirmed by its issuer."""
        return self.recorded_by is not None and self.confirmed_at is None

    def confirm_record(self, *, actor: str, at: datetime) -> None:
        """The issuer confirms that the record its addressee made from paper is its
        instrument. Not a status change: an event of its own, ``confirm``."""
        if self.recorded_by is None:
            raise InvalidInput(
                f"{self.id} was issued through the desk: there is no record to confirm"
            )
        if self.confirmed_at is not None:
            raise InvalidInput(f"{self.id} is confirmed already")
        self.new_events.append(
            InstrumentEvent(
                instrument_id=self.id,
                case_id=self.case_id,
                transition="confirm",
                from_status=self.status,
                to_status=self.status,
                actor=actor,
                at=at,
                reason="The issuer confirms the record made from paper.",
                changes={"confirmed": True},
            )
        )
        self.confirmed_at = at

    def reschedule(
        self, due: DueDate | None, *, at: datetime, reason: str, cause: str = "release"
    ) -> bool:
        """Move the clock because what it runs from moved or became known: the release (the
        default), or the instrument's service (``cause="service"``). Not a status change: an
        event of its own, ``reschedule``. Whether anything moved."""
        if due == self.due:
            return False
        self.new_events.append(
            InstrumentEvent(
                instrument_id=self.id,
                case_id=self.case_id,
                transition="reschedule",
                from_status=self.status,
                to_status=self.status,
                actor="system",
                at=at,
                reason=reason,
                changes={"due": due.to_json() if due else None, "cause": cause},
            )
        )
        self.due = due
        return True

    def determine(self, determination: Determination) -> InstrumentEvent:
        allowed = (
            PETITION_OUTCOMES
            if self.kind is InstrumentKind.ENFORCEMENT_PETITION
            else ANSWER_OUTCOMES
        )
        if determination.outcome not in allowed:
            names = ", ".join(sorted(o.value for o in allowed))
            raise InvalidInput(
                f"{a_or_an(self.kind.value)} is answered with {names}, "
                f"not {determination.outcome.value}"
            )
        if self.kind is InstrumentKind.ENFORCEMENT_PETITION:
            self._check_ruling(determination)
        event = self.apply(
            "determine",
            actor=determination.determined_by,
            at=determination.determined_at,
            reason=determination.reason,
            target=InstrumentStatus(determination.outcome.value),
            changes={
                "outcome": determination.outcome.value,
                "released": list(determination.released_fields),
                "performed": list(determination.actions_performed),
                "override": determination.override is not None,
            },
        )
        self.determination = determination
        return event

    def _check_ruling(self, ruling: Determination) -> None:
        """A narrowed grant names the fields it orders, all from those petitioned for; a grant
        orders the whole petition and a denial nothing, so neither names fields."""
        asked = [f for f in (disclosed_field(a) for a in self.actions) if f]
        named = list(ruling.released_fields)
        if ruling.outcome is Outcome.GRANTED_NARROWED:
            extra = [f for f in named if f not in asked]
            if not named or extra:
                raise InvalidInput(
                    f"a narrowed grant names the fields it orders, from those petitioned for "
                    f"({', '.join(asked)}); {'not ' + ', '.join(extra) if extra else 'none named'}"
                )
        elif named:
            raise InvalidInput(
                f"a {ruling.outcome.value} ruling names no fields: grant it narrowed to order "
                "only some"
            )

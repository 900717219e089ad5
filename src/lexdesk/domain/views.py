"""What an agency is shown: the views the disclosure policy (``domain.visibility``) builds,
and the table of what each party sees (docs/domain.md, checked by a test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lexdesk.domain.cases import Case, CaseStatus
from lexdesk.domain.deadlines import DueDate
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.vocabulary import InstrumentStatus


@dataclass(frozen=True)
class Answer:
    """One requested action's answer, as a counterparty sees it."""

    action: str
    answer: str  # "performed" or "declined"
    citations: tuple[str, ...]


@dataclass(frozen=True)
class DeterminationView:
    outcome: str
    reason: str
    released_fields: tuple[str, ...]
    actions_performed: tuple[str, ...]
    determined_by: str
    determined_at: datetime
    answers: tuple[Answer, ...]
    #: The whole evaluation, for the holder; None for anyone else.
    evaluation: dict[str, Any] | None
    override: dict[str, Any] | None


@dataclass(frozen=True)
class EventView:
    instrument_id: str
    transition: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    reason: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class InstrumentView:
    """An instrument as one agency may see it."""

    instrument: Instrument
    status: InstrumentStatus
    due: DueDate | None
    due_explained: str | None
    determination: DeterminationView | None
    events: tuple[EventView, ...]
    #: field -> why it is withheld (``due_at``, ``evaluation``)
    withheld: dict[str, str] = field(default_factory=dict)
    #: The version this agency has seen (each change it may learn of counts one): what its
    #: ETag shows and its If-Match must name. A change it may not learn of moves nothing here.
    version: int = 0

    @property
    def due_at(self) -> datetime | None:
        return self.due.due_at if self.due else None


@dataclass(frozen=True)
class CaseView:
    case: Case
    agency_id: str
    holder: bool
    status: CaseStatus
    instruments: tuple[InstrumentView, ...]
    #: The subject as this agency knows them: the holder's record, else its requester's words.
    person_label: str
    #: (field, value) pairs this agency may see of the person.
    person_fields: tuple[tuple[str, Any], ...]

    def instrument(self, instrument_id: str) -> InstrumentView | None:
        return next((v for v in self.instruments if v.instrument.id == instrument_id), None)


@dataclass(frozen=True)
class Seen:
    """One row of the table of what each party sees (docs/domain.md, checked by a test)."""

    key: str
    what: str
    holder: str
    requester: str
    others: str


#: What each party may learn, as the rules above decide it: the custodial agency that holds the
#: person, the requesting agency, and the U.S. Attorney and the court.
WHO_SEES: tuple[Seen, ...] = (
    Seen("record", "the person's record", "all of it",
         "the fields released to it, as they stood when released; the person as it named them",
         "the fields released to it (a court order's production, where it names the court)"),
    Seen("instruments", "instruments", "every one in its cases",
         "every instrument of each chain it is a party to",
         "every instrument of each chain it is a party to"),
    Seen("release_due", "a due date computed from the release date", "yes",
         "only if that very release date was released to it; otherwise due on release",
         "only if that very release date was released to it"),
    Seen("release_flag", "\"release within 48 h\", and lists sorted by the release", "yes",
         "no", "no"),
    Seen("due_marks", "\"overdue\", \"due today\", \"due within 48 h\", overdue counts, and "
         "lists filtered, sorted or exported by the due date", "from its own due dates",
         "from the due dates it is shown: none from a withheld release date",
         "from the due dates it is shown"),
    Seen("work", "who of an agency works a case or instrument, and its notes on a case",
         "its own only", "its own only", "its own only"),
    Seen("custody_transitions", "an end set off by the person leaving custody (moot), a clock "
         "run out or moved from the release", "yes",
         "only once told of the custody since; until then the instrument keeps its status",
         "only once told of the custody since"),
    Seen("evaluation", "the rule engine's evaluation (rules, labels, conditions, facts)", "yes",
         "no: each action's answer, and the citations that let what was performed be",
         "no: each action's answer and its citations"),
    Seen("override", "an override of the evaluation", "yes", "no", "no"),
    Seen("production", "records produced in answer", "what it released, to whom",
         "what reached it: the answers to its requests and subpoenas, a court order's production",
         "a court order's production where the order names the court; a petition's grant "
         "releases nothing"),
)  # fmt: skip

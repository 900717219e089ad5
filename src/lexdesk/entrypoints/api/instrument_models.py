"""The bodies of the instrument routes, and how an instrument is shown to each of its parties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from pydantic import Field, StringConstraints

from lexdesk.domain.visibility import DeterminationView, EventView, InstrumentView
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    DISCLOSABLE_FIELDS,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
)
from lexdesk.entrypoints.api.schemas import Answer, Code, Moment, Reason, Short, StrictBody
from lexdesk.queries.api_lists import Page

Action = Annotated[str, StringConstraints(pattern=f"^({'|'.join(ALL_ACTIONS)})$")]
FieldName = Annotated[str, StringConstraints(pattern=f"^({'|'.join(DISCLOSABLE_FIELDS)})$")]


class IssueBody(StrictBody):
    kind: InstrumentKind = Field(description="A request kind: detainer, notification_request, ...")
    addressee: Code = Field(description="The custodial agency that holds the person.")
    person: Short = Field(
        min_length=1, description="The person's id, or scheme:value such as nysid:12345678A."
    )
    actions: list[Action] = Field(min_length=1, max_length=20)
    warrant: Warrant = Warrant.NONE
    return_date: Moment | None = None
    reference: Short = ""
    reason: Reason = ""


class AcknowledgeBody(StrictBody):
    reason: Reason = ""


class WithdrawBody(StrictBody):
    reason: Reason = Field(min_length=1)


class OverrideBody(StrictBody):
    reason: Reason = Field(
        min_length=1,
        description="Why counsel departs from the evaluation (20 characters or more); only a "
        "user with the legal role may override.",
    )


class DetermineBody(StrictBody):
    outcome: Outcome
    reason: Reason = Field(min_length=1, description="Why, citing the rule that decided.")
    released_fields: list[FieldName] = Field(
        default_factory=list,
        max_length=12,
        description="The fields released (complied: all those asked, or none to mean all; "
        "partially_complied: those released). For a petition: the fields a narrowed grant "
        "orders produced.",
    )
    actions_performed: list[Action] = Field(
        default_factory=list,
        max_length=20,
        description="For partially_complied: the requested actions performed besides the "
        "releases (e.g. notify_release).",
    )
    override: OverrideBody | None = Field(
        None,
        description="Needed when the answer contradicts the evaluation (performs what it "
        "prohibits or refuses what it requires); without it such an answer is refused with 409.",
    )


class EscalateBody(StrictBody):
    reason: Reason = Field(min_length=1)
    addressee: Code | None = Field(None, description="The U.S. Attorney or court, where needed.")
    actions: list[Action] = Field(default_factory=list, max_length=20)
    return_date: Moment | None = None
    reference: Short = ""
    produce_to: list[Code] = Field(
        default_factory=list,
        max_length=2,
        description="For a court order: the agencies the records are to be produced to (the "
        "agency whose subpoena it enforces, the court itself); default: that agency.",
    )


class ActionAnswerOut(Answer):
    action: str
    answer: Literal["performed", "declined"]
    citations: list[str] = Field(description="The citations that let a performed action be.")


class ProvisionCheckOut(Answer):
    """Whether the text of the provision that decided was checked against the law."""

    status: Literal["verified", "unconfirmed"]
    text: str = Field(description="Whether the deciding text was checked against the law.")
    url: str = Field(description="The source: the primary text read, or the official address.")
    link_text: str


class ActionExplanationOut(Answer):
    action: str
    status: Literal["required", "permitted", "prohibited", "conflict"]
    decision: str = Field(description="The decision and the provision that made it, one sentence.")
    reasons: list[str] = Field(
        description="The provision's condition, the facts that met it (naming the conviction "
        "or charge that qualified), and what it prevails over."
    )
    not_applying: list[str] = Field(
        description="Each provision in scope that does not apply, and what the record shows."
    )
    would_change: list[str] = Field(description="The single facts that would change the answer.")
    notes: list[str] = Field(
        description="Unconfirmed list entries the answer rests on, duties, the hold limit."
    )
    verification: ProvisionCheckOut | None


class ExplanationOut(Answer):
    """The evaluation in legal English, generated from the rules (docs/rules.md, section 10)."""

    summary: str
    actions: list[ActionExplanationOut]


def explanation_of(record: dict[str, Any] | None) -> ExplanationOut | None:
    """The explanation stored with an evaluation record; None when there is none."""
    found = (record or {}).get("explanation")
    return ExplanationOut.model_validate(found) if isinstance(found, dict) else None


class EvaluationOut(Answer):
    """The answering agency's law on an instrument today, as a determination would record it."""

    pack: str
    pack_version: str
    as_of: str
    outcome: str
    actions: dict[str, Any] = Field(
        description="Per action the engine's decision (docs/rules.md, section 2)."
    )
    explanation: ExplanationOut | None


class DeterminationOut(Answer):
    outcome: Outcome
    reason: str
    released_fields: list[str]
    actions_performed: list[str]
    answers: list[ActionAnswerOut] = Field(
        description="Each requested action's answer, with the citations that justify it."
    )
    determined_by: str
    determined_at: datetime
    evaluation: dict[str, Any] | None = Field(
        description="The rule engine's evaluation, for the answering agency only; null for "
        "every other agency (see the instrument's withheld.evaluation)."
    )
    override: dict[str, Any] | None = Field(
        None, description="The answering agency's override of the evaluation, for it alone."
    )
    explanation: ExplanationOut | None = Field(
        None,
        description="The evaluation in legal English, for the answering agency only (null for "
        "every other agency, as the evaluation).",
    )


class InstrumentOut(Answer):
    id: str
    case_id: str
    kind: InstrumentKind
    status: InstrumentStatus
    actions: list[str]
    warrant: Warrant
    issuer: str
    addressee: str
    parent_id: str | None
    issued_at: datetime | None
    due_at: datetime | None = Field(
        description="null when the reader may not learn it (see withheld.due_at)."
    )
    due_explained: str | None
    reference: str
    version: int
    determination: DeterminationOut | None
    produce_to: list[str] = Field(
        description="The agencies that receive what the addressee releases in answer."
    )
    recorded_by: str | None = Field(
        default=None,
        description="Recorded from paper by this agency (its addressee): not issued through "
        "the desk. Until confirmed_at, its issuer has not confirmed the record.",
    )
    confirmed_at: datetime | None = None
    withheld: dict[str, str] = Field(
        default_factory=dict,
        description="What the reader's agency may not learn here, field by field, and why "
        "(e.g. due_at: derived from a release date not released to it).",
    )


class InstrumentSummary(Answer):
    id: str
    case_id: str
    kind: InstrumentKind
    status: InstrumentStatus
    issuer: str
    addressee: str
    issued_at: datetime | None
    due_at: datetime | None
    actions: list[str]
    version: int


class InstrumentPage(Answer):
    items: list[InstrumentSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class EventOut(Answer):
    instrument_id: str
    transition: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    reason: str
    changes: dict[str, Any]


ETAG = {
    "ETag": {
        "description": "The instrument's version; send it back as If-Match to change it.",
        "schema": {"type": "string", "pattern": '^"[0-9]+"$', "examples": ['"3"']},
    }
}


def shown(view: InstrumentView, response: Response | None = None) -> InstrumentOut:
    """An instrument as the disclosure policy shows it to the reader's agency."""
    instrument = view.instrument
    if response is not None:
        response.headers["ETag"] = f'"{view.version}"'
    return InstrumentOut(
        id=instrument.id,
        case_id=instrument.case_id,
        kind=instrument.kind,
        status=view.status,
        actions=list(instrument.actions),
        warrant=instrument.warrant,
        issuer=instrument.issuer_agency_id,
        addressee=instrument.addressee_agency_id,
        parent_id=instrument.parent_id,
        issued_at=instrument.issued_at,
        due_at=view.due_at,
        due_explained=view.due_explained,
        reference=instrument.reference,
        version=view.version,
        determination=_determination(view.determination),
        produce_to=list(instrument.produce_to),
        recorded_by=instrument.recorded_by,
        confirmed_at=instrument.confirmed_at,
        withheld=view.withheld,
    )


def _determination(det: DeterminationView | None) -> DeterminationOut | None:
    if det is None:
        return None
    return DeterminationOut(
        outcome=Outcome(det.outcome),
        reason=det.reason,
        released_fields=list(det.released_fields),
        actions_performed=list(det.actions_performed),
        answers=[
            ActionAnswerOut(action=a.action, answer=a.answer, citations=list(a.citations))
            for a in det.answers
        ],
        determined_by=det.determined_by,
        determined_at=det.determined_at,
        evaluation=det.evaluation,
        override=det.override,
        explanation=explanation_of(det.evaluation),
    )


def page_of(page: Page) -> InstrumentPage:
    return InstrumentPage(
        items=[
            InstrumentSummary(
                id=r.id,
                case_id=r.case_id,
                kind=r.kind,
                status=r.status,
                issuer=r.issuer_agency_id,
                addressee=r.addressee_agency_id,
                issued_at=r.issued_at,
                due_at=r.due_at,
                actions=list(r.actions),
                version=r.version,
            )
            for r in page.rows
        ],
        next_cursor=page.next_cursor,
    )


def event_out(event: EventView) -> EventOut:
    return EventOut(
        instrument_id=event.instrument_id,
        transition=event.transition,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=event.actor,
        at=event.at,
        reason=event.reason,
        changes=event.changes,
    )

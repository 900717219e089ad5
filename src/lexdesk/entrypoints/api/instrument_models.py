"""The bodies of the instrument routes, and how an instrument is shown to each of its parties."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Response
from pydantic import Field, StringConstraints

from lexdesk.domain.instruments import Determination, Instrument
from lexdesk.domain.lifecycle import Party
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
from lexdesk.services.accounts import Principal

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


class DetermineBody(StrictBody):
    outcome: Outcome
    reason: Reason = Field(min_length=1, description="Why, citing the rule that decided.")
    released_fields: list[FieldName] = Field(default_factory=list, max_length=12)


class EscalateBody(StrictBody):
    reason: Reason = Field(min_length=1)
    addressee: Code | None = Field(None, description="The U.S. Attorney or court, where needed.")
    actions: list[Action] = Field(default_factory=list, max_length=20)
    return_date: Moment | None = None
    reference: Short = ""


class DeterminationOut(Answer):
    outcome: Outcome
    reason: str
    released_fields: list[str]
    determined_by: str
    determined_at: datetime
    evaluation: dict[str, Any] | None = Field(
        description="The rule engine's evaluation; its inputs (facts about the person) are shown "
        "only to the addressee that holds them."
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
    due_at: datetime | None
    due_explained: str | None
    reference: str
    version: int
    determination: DeterminationOut | None


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


ETAG = {"ETag": {"description": "The instrument's version; send it back as If-Match to change it."}}


def etag(instrument: Instrument) -> str:
    return f'"{instrument.version}"'


def shown(
    instrument: Instrument, reader: Principal, response: Response | None = None
) -> InstrumentOut:
    if response is not None:
        response.headers["ETag"] = etag(instrument)
    det = instrument.determination
    holder = instrument.party_of(reader.agency_id) is Party.ADDRESSEE
    return InstrumentOut(
        id=instrument.id,
        case_id=instrument.case_id,
        kind=instrument.kind,
        status=instrument.status,
        actions=list(instrument.actions),
        warrant=instrument.warrant,
        issuer=instrument.issuer_agency_id,
        addressee=instrument.addressee_agency_id,
        parent_id=instrument.parent_id,
        issued_at=instrument.issued_at,
        due_at=instrument.due_at,
        due_explained=instrument.due.explain() if instrument.due else None,
        reference=instrument.reference,
        version=instrument.version,
        determination=_determination(det, holder) if det else None,
    )


def _determination(det: Determination, holder: bool) -> DeterminationOut:
    evaluation = det.evaluation
    if evaluation is not None and not holder:
        evaluation = {k: v for k, v in evaluation.items() if k != "inputs"}
    return DeterminationOut(
        outcome=det.outcome,
        reason=det.reason,
        released_fields=list(det.released_fields),
        determined_by=det.determined_by,
        determined_at=det.determined_at,
        evaluation=evaluation,
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


def event_out(event: dict[str, Any]) -> EventOut:
    return EventOut(
        instrument_id=event["instrument_id"],
        transition=event["transition"],
        from_status=event["from"],
        to_status=event["to"],
        actor=event["actor"],
        at=datetime.fromisoformat(event["at"]),
        reason=event["reason"],
        changes=event["changes"],
    )

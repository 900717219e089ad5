"""Paper intake: ``POST /api/v1/paper-instruments`` (multipart: what the paper says, and the
scan as ``file``) records an instrument served on paper by an agency that does not use the desk;
``POST /api/v1/instruments/{id}/confirmation`` is its issuer confirming the record
(docs/adr/0021-paper-intake.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from lexdesk.domain.attachments import SIZE_LIMIT
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, WRITE_ERRORS, ApiRoute, _error
from lexdesk.entrypoints.api.headers import LOCATION
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.instrument_models import InstrumentOut
from lexdesk.entrypoints.api.instruments import seen_by
from lexdesk.entrypoints.api.schemas import InstrumentId
from lexdesk.entrypoints.api.security import requires
from lexdesk.services import paper
from lexdesk.services.accounts import Principal

router = APIRouter(
    tags=["instruments"],
    route_class=ApiRoute,
    responses={**COMMON_ERRORS, 413: _error("The scan is larger than 25 MB.")},
)
PaperKind = Literal[
    "detainer", "notification_request", "transfer_request", "information_request",
    "administrative_subpoena", "court_order",
]  # fmt: skip
Text = Annotated[str, Form(max_length=100)]


# Not under /instruments: there, any other name is an instrument's id.
@router.post(
    "/paper-instruments",
    name="record_paper",
    status_code=201,
    responses={**WRITE_ERRORS, 201: {"headers": LOCATION}},
)
def record_paper(
    request: Request,
    response: Response,
    actor: Annotated[Principal, Depends(requires(Permission.PERSON_WRITE))],
    file: Annotated[UploadFile, File(description="The scan: PDF, PNG, JPEG or TIFF.")],
    kind: Annotated[PaperKind, Form()],
    issuer: Annotated[str, Form(min_length=1, max_length=63, description="Who issued it.")],
    person: Annotated[str, Form(min_length=1, max_length=100, description="Id or scheme:value.")],
    actions: Annotated[list[str], Form(min_length=1, description="What it demands; repeat.")],
    issued_at: Annotated[datetime, Form(description="The paper's date, with a zone.")],
    received_at: Annotated[datetime, Form(description="When it was received, with a zone.")],
    method: Annotated[Literal["in_person", "mail", "email", "portal"], Form()] = "in_person",
    warrant: Annotated[Literal["none", "administrative", "judicial"], Form()] = "none",
    return_date: Annotated[datetime | None, Form()] = None,
    produce_to: Annotated[str, Form(max_length=63)] = "",
    reference: Text = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    once: Once = None,
) -> InstrumentOut:
    """Record an instrument received on paper (the custodian that received it); its issuer's
    copy says "recorded by the recipient" until the issuer confirms it."""
    data = file.file.read(SIZE_LIMIT + 1)
    command = paper.RecordPaper(
        actor.username, kind, issuer, person, tuple(actions), issued_at, received_at, method,
        file.filename or "scan", data, warrant, return_date, produce_to, reference, reason,
        source_of(request),
    )  # fmt: skip
    made = paper.record_paper(built(request).desk, command)
    response.headers["Location"] = (
        f"{request.url.path.removesuffix('/paper-instruments')}/instruments/{made.id}"
    )
    return seen_by(request, actor, made.id, response)


@router.post(
    "/instruments/{instrument_id}/confirmation", name="confirm_record", responses=WRITE_ERRORS
)
def confirm_record(
    request: Request,
    response: Response,
    instrument_id: InstrumentId,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ISSUE))],
) -> InstrumentOut:
    """The issuer confirms the record its addressee made from paper."""
    command = paper.ConfirmRecord(actor.username, instrument_id, source_of(request))
    done = paper.confirm_record(built(request).desk, command)
    return seen_by(request, actor, done.id, response)

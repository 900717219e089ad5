"""Attachments: ``POST /api/v1/instruments/{id}/attachments`` (multipart, the field ``file``;
``on=answer`` for records produced with the answer), ``GET`` the same path to list what one's
agency may read, ``GET /api/v1/attachments/{id}`` to download one (streamed, as an attachment,
never cached). The type is judged by the content; beyond 25 MB, 413. Every upload, list and
download is audited with the file's SHA-256. And service of process:
``POST``/``GET /api/v1/instruments/{id}/service``, how, by whom and when it was served."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator, Field, StringConstraints

from lexdesk.domain.attachments import SIZE_LIMIT, Attachment
from lexdesk.domain.permissions import Permission
from lexdesk.domain.service import ServiceRecord
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute, _error
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.schemas import (
    ID_PATTERN,
    ONE_LINE,
    Answer,
    InstrumentId,
    Moment,
    Name,
    StrictBody,
    file_answer,
    one_line,
)
from lexdesk.entrypoints.api.security import requires
from lexdesk.services import attachments, serving
from lexdesk.services.accounts import Principal

router = APIRouter(
    tags=["attachments"],
    route_class=ApiRoute,
    responses={**COMMON_ERRORS, 413: _error("The file is larger than 25 MB.")},
)
Reader = Annotated[Principal, Depends(requires(Permission.INSTRUMENT_READ))]
AttachmentId = Annotated[str, Path(pattern=ID_PATTERN, description="An attachment id.")]


class AttachmentOut(Answer):
    id: str
    instrument_id: str
    on: Literal["instrument", "answer"]
    sha256: str = Field(description="The SHA-256 of the bytes, hex.")
    media_type: Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]
    size: int
    filename: str = Field(description="The name it was uploaded under, for display only.")
    agency: str
    uploaded_by: str
    created_at: datetime


def attachment_out(item: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=item.id,
        instrument_id=item.instrument_id,
        on=item.on.value,
        sha256=item.sha256,
        media_type=item.media_type,
        size=item.size,
        filename=item.filename,
        agency=item.agency_id,
        uploaded_by=item.uploaded_by,
        created_at=item.created_at,
    )


@router.post(
    "/instruments/{instrument_id}/attachments",
    name="add_attachment",
    status_code=201,
    response_model=AttachmentOut,
)
def add_attachment(
    request: Request,
    instrument_id: InstrumentId,
    reader: Reader,
    file: Annotated[UploadFile, File(description="A PDF, PNG, JPEG or TIFF, 25 MB at most.")],
    on: Annotated[Literal["instrument", "answer"], Form()] = "instrument",
    once: Once = None,
) -> AttachmentOut:
    """Attach the paper served (a party to the instrument), or the records produced with the
    answer (``on=answer``: the agency that answered)."""
    data = file.file.read(SIZE_LIMIT + 1)
    made = attachments.add(
        built(request).desk, reader, instrument_id, file.filename or "", data,
        on=on, source=source_of(request),
    )  # fmt: skip
    return attachment_out(made)


@router.get("/instruments/{instrument_id}/attachments", name="list_attachments")
def list_attachments(
    request: Request, instrument_id: InstrumentId, reader: Reader
) -> list[AttachmentOut]:
    """The instrument's attachments that one's agency may read."""
    found = attachments.list_of(built(request).desk, reader, instrument_id, source_of(request))
    return [attachment_out(a) for a in found]


@router.get(
    "/attachments/{attachment_id}",
    name="get_attachment",
    response_class=StreamingResponse,
    responses=file_answer("application/octet-stream", "The file."),
)
def get_attachment(
    request: Request, attachment_id: AttachmentId, reader: Reader
) -> StreamingResponse:
    """The file, streamed, if one's agency may read it (404 otherwise, as for a wrong id)."""
    item, chunks = attachments.read(built(request).desk, reader, attachment_id, source_of(request))
    headers = {
        "Content-Disposition": f'attachment; filename="{item.download_name}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Length": str(item.size),
        "Digest": f"sha-256={item.sha256}",
    }
    return StreamingResponse(chunks, media_type=item.media_type, headers=headers)


class ServiceBody(StrictBody):
    method: Literal["in_person", "mail", "email", "portal"]
    served_by: Name = Field(description="Who served it: a name, as on paper.")
    served_at: Moment = Field(description="When; not before the instrument was issued.")
    note: Annotated[
        str, StringConstraints(max_length=500, pattern=ONE_LINE), BeforeValidator(one_line)
    ] = ""


class ServiceOut(Answer):
    id: str
    instrument_id: str
    method: Literal["in_person", "mail", "email", "portal"]
    served_by: str
    served_at: datetime
    agency: str
    recorded_by: str
    recorded_at: datetime
    note: str


def service_out(item: ServiceRecord) -> ServiceOut:
    return ServiceOut(
        id=item.id,
        instrument_id=item.instrument_id,
        method=item.method.value,
        served_by=item.served_by,
        served_at=item.served_at,
        agency=item.agency_id,
        recorded_by=item.recorded_by,
        recorded_at=item.recorded_at,
        note=item.note,
    )


Issuer = Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ISSUE))]


@router.post("/instruments/{instrument_id}/service", name="record_service", status_code=201)
def record_service(
    request: Request, instrument_id: InstrumentId, body: ServiceBody, issuer: Issuer, once: Once
) -> ServiceOut:
    """Record how the instrument was served (its issuer); its document then carries the
    certificate of service."""
    made = serving.record(
        built(request).desk, issuer, instrument_id, body.method, body.served_by,
        body.served_at, body.note, source=source_of(request),
    )  # fmt: skip
    return service_out(made)


@router.get("/instruments/{instrument_id}/service", name="list_service")
def list_service(request: Request, instrument_id: InstrumentId, reader: Reader) -> list[ServiceOut]:
    """How the instrument was served, for whoever may see it."""
    found = serving.of_instrument(built(request).desk, reader, instrument_id, source_of(request))
    return [service_out(s) for s in found]

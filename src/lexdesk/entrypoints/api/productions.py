"""Productions: ``POST /api/v1/instruments/{id}/production`` produces what the answer to the
instrument released (the custodian that answered; made once, Bates numbers taken then, the
recipients told); ``GET`` the same path says what the production holds, and ``GET
…/production.pdf`` downloads a signed copy, for the producer and the recipients only
(docs/adr/0020-productions.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field

from lexdesk.domain.errors import NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.production import Production, bates
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.schemas import Answer, InstrumentId, file_answer
from lexdesk.entrypoints.api.security import requires
from lexdesk.services import production
from lexdesk.services.accounts import Principal

router = APIRouter(tags=["productions"], route_class=ApiRoute, responses=COMMON_ERRORS)
Reader = Annotated[Principal, Depends(requires(Permission.INSTRUMENT_READ))]
Producer = Annotated[Principal, Depends(requires(Permission.INSTRUMENT_DETERMINE))]


class ProductionOut(Answer):
    id: str
    instrument_id: str
    producer: str = Field(description="The agency that released and produced the records.")
    recipients: list[str] = Field(description="The agencies the records were produced to.")
    bates_first: str = Field(description="The first page's Bates number, e.g. DOC-000041.")
    bates_last: str
    pages: int
    exhibits: list[str] = Field(description="The answer's attachments produced, in order.")
    made_by: str
    made_at: datetime


def production_out(made: Production) -> ProductionOut:
    return ProductionOut(
        id=made.id,
        instrument_id=made.instrument_id,
        producer=made.producer_agency_id,
        recipients=list(made.recipients),
        bates_first=bates(made.bates_prefix, made.first),
        bates_last=bates(made.bates_prefix, made.last),
        pages=made.pages,
        exhibits=list(made.exhibits),
        made_by=made.made_by,
        made_at=made.at,
    )


@router.post("/instruments/{instrument_id}/production", name="make_production", status_code=201)
def make_production(
    request: Request, instrument_id: InstrumentId, producer: Producer, once: Once
) -> ProductionOut:
    """Produce the records the answer released, with the records attached to the answer so
    far; the production already made, if there is one."""
    desk = built(request).desk
    return production_out(production.make(desk, producer, instrument_id, source=source_of(request)))


@router.get("/instruments/{instrument_id}/production", name="get_production")
def get_production(request: Request, instrument_id: InstrumentId, reader: Reader) -> ProductionOut:
    """The production of the instrument's answer, for its producer and recipients."""
    made = production.production_of(built(request).desk, reader, instrument_id)
    if made is None:
        raise NotFound("production", instrument_id)
    return production_out(made)


@router.get(
    "/instruments/{instrument_id}/production.pdf",
    name="download_production",
    response_class=Response,
    responses=file_answer("application/pdf", "The signed PDF."),
)
def download_production(request: Request, instrument_id: InstrumentId, reader: Reader) -> Response:
    """A signed copy of the production: every copy has the same pages and Bates numbers, and
    its own verification code."""
    copy = production.render(built(request).desk, reader, instrument_id, source=source_of(request))
    headers = {
        "Content-Disposition": f'attachment; filename="{copy.filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(copy.pdf, media_type="application/pdf", headers=headers)

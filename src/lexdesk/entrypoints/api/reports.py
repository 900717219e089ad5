"""``/api/v1/reports``: the published transparency reports, for anyone (docs/adr/0019). Public
like the page ``/transparency``: a published report holds no personal data and no count that
suppression withheld. Drafts are not served: an administrator computes them at the desk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.schemas import CODE_PATTERN, ID_PATTERN, Answer, file_answer
from lexdesk.entrypoints.api.security import public
from lexdesk.queries.published_reports import published, published_reports
from lexdesk.services import report_documents

router = APIRouter(
    prefix="/reports",
    tags=["transparency"],
    route_class=ApiRoute,
    responses={status: COMMON_ERRORS[status] for status in (404, 422)},
)
Public = Annotated[None, Depends(public)]


class PublishedSummary(Answer):
    id: str
    report: str
    version: str
    title: str
    citation: str
    agency: str
    period: dict[str, str]
    edition: int
    note: str | None
    digest: str
    watermark: dict[str, Any]
    published_at: datetime


class PublishedReportOut(PublishedSummary):
    url: str
    verification: dict[str, str]
    published_by: str
    suppression: dict[str, Any]
    figures: list[dict[str, Any]]


class PublishedList(Answer):
    items: list[PublishedSummary]


@router.get("", name="list_published_reports")
def list_published_reports(
    request: Request,
    _: Public,
    agency: Annotated[
        str | None, Query(pattern=CODE_PATTERN, description="Only this agency's reports.")
    ] = None,
) -> PublishedList:
    """Every published edition, newest first, without its figures."""
    with built(request).engine.connect() as db:
        rows = published_reports(db, agency)
    return PublishedList(
        items=[PublishedSummary.model_validate(_fields(r.to_json())) for r in rows]
    )


@router.get(
    "/{report_id}.pdf",
    name="download_published_report",
    response_class=StreamingResponse,
    responses=file_answer("application/pdf", "The signed PDF."),
)
def download_published_report(
    request: Request,
    _: Public,
    report_id: Annotated[str, Path(pattern=ID_PATTERN, description="A published report's id.")],
) -> StreamingResponse:
    """The edition as its agency signed it: the same PDF for everyone, verifiable at
    ``/verify`` like any document the desk issues."""
    signed = report_documents.signed_report(
        built(request).desk, report_id, source=source_of(request)
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{signed.filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(signed.chunks, media_type="application/pdf", headers=headers)


@router.get("/{report_id}", name="get_published_report")
def get_published_report(
    request: Request,
    _: Public,
    report_id: Annotated[str, Path(pattern=ID_PATTERN, description="A published report's id.")],
) -> PublishedReportOut:
    """One published edition with its figures, definitions, citations and suppression rule."""
    with built(request).engine.connect() as db:
        found = published(db, report_id)
    return PublishedReportOut.model_validate(found.to_json())


def _fields(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k in PublishedSummary.model_fields}

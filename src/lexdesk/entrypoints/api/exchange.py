"""Exchange formats other agencies' systems speak: a case's instruments as NIEM-named JSON,
the jail roster as CSV (docs/exchange.md, docs/roster.md).

- ``GET /cases/{case_id}/exchange``: the case as ``GET /cases/{case_id}`` answers it (the same
  read, policy and audit entry), written in the exchange format.
- ``POST /instrument-exchanges``: new requests in that format, issued all together or not at
  all; a document that does not fit the schema, or a request the desk refuses, is a 422 naming
  each place (a JSON Pointer) and what is wrong there.
- ``GET /schemas/case-exchange-v1.json``: the JSON Schema, public.
- ``POST /roster-imports``: a custodian's roster as ``text/csv``, all rows or none.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from lexdesk.domain import exchange as vocabulary
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.exchange import ExchangeRefused
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.cases import read_case
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import (
    COMMON_ERRORS,
    ApiRoute,
    FieldError,
    ValidationErrorBody,
)
from lexdesk.entrypoints.api.exchange_document import case_document, issued_document
from lexdesk.entrypoints.api.exchange_openapi import (
    EXPORT_ANSWERS,
    IMPORT_ANSWERS,
    IMPORT_BODY,
    ROSTER_ANSWERS,
    ROSTER_BODY,
    SCHEMA_ANSWERS,
    RosterReport,
    RosterRowOut,
)
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.instrument_models import shown
from lexdesk.entrypoints.api.schemas import CaseId
from lexdesk.entrypoints.api.security import public, requires
from lexdesk.services import disclosures, roster
from lexdesk.services import exchange as exchanges
from lexdesk.services.accounts import Principal

router = APIRouter(tags=["exchange"], route_class=ApiRoute)
NOT_UTF8 = "the body is not UTF-8 text: send it encoded as UTF-8"


@router.get(
    "/cases/{case_id}/exchange",
    name="export_case",
    response_class=JSONResponse,
    responses={**COMMON_ERRORS, **EXPORT_ANSWERS},
)
def export_case(
    request: Request,
    case_id: CaseId,
    reader: Annotated[Principal, Depends(requires(Permission.CASE_READ))],
) -> JSONResponse:
    """The case and the instruments one's agency may see, as NIEM-named JSON: exactly what
    ``GET /cases/{case_id}`` shows, renamed (docs/exchange.md); the read is audited alike."""
    return JSONResponse(case_document(read_case(request, reader, case_id)))


@router.get(
    f"/schemas/{vocabulary.SCHEMA_FILE}",
    name="get_case_exchange_schema",
    response_class=JSONResponse,
    responses=SCHEMA_ANSWERS,
)
def get_case_exchange_schema(_: Annotated[None, Depends(public)]) -> JSONResponse:
    """The JSON Schema of the exchange documents (public): an export has ``nc:Case``, an
    import does not."""
    return JSONResponse(vocabulary.schema())


@router.post(
    "/instrument-exchanges",
    name="import_instruments",
    status_code=201,
    response_class=JSONResponse,
    responses={**COMMON_ERRORS, **IMPORT_ANSWERS},
    openapi_extra=IMPORT_BODY,
)
async def import_instruments(
    request: Request,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ISSUE))],
    once: Once = None,
) -> JSONResponse:
    """Issue one or more new requests sent as NIEM-named JSON: all of them, in one
    transaction, or none (docs/exchange.md)."""
    if not _media_is(request, "application/json"):
        return _unsupported("application/json")
    text = _text(await request.body())
    if text is None:
        return _unreadable()
    return await run_in_threadpool(_import, request, actor, text)


def _import(request: Request, actor: Principal, text: str) -> JSONResponse:
    desk = built(request).desk
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        detail = "the body is not JSON: send the document as JSON (docs/exchange.md)"
        return _refused(detail, [FieldError(field="/", message=f"is not JSON ({error})")])
    try:
        requests = exchanges.read_import(document)
        command = exchanges.IssueMany(actor.username, tuple(requests), source_of(request))
        made = exchanges.issue_many(desk, command)
    except ExchangeRefused as refused:
        fields = [FieldError(field=p.path, message=p.message) for p in refused.problems]
        return _refused(
            str(refused), fields, "rules" if refused.refused_by == "rules" else "schema"
        )
    issued = [shown(disclosures.seen_after_change(desk, actor, i.id)) for i in made]
    return JSONResponse(issued_document(issued), status_code=201)


@router.post(
    "/roster-imports",
    name="import_roster",
    response_model=RosterReport,
    responses={**COMMON_ERRORS, **ROSTER_ANSWERS},
    openapi_extra=ROSTER_BODY,
)
async def import_roster(
    request: Request,
    actor: Annotated[Principal, Depends(requires(Permission.PERSON_WRITE))],
    once: Once = None,
) -> RosterReport | JSONResponse:
    """Apply one's own jail roster, sent as CSV (docs/roster.md): every row, in one
    transaction, or none; a rejected row refuses the whole roster, naming each line."""
    if not _media_is(request, "text/csv"):
        return _unsupported("text/csv")
    text = _text(await request.body())
    if text is None:
        return _unreadable()
    return await run_in_threadpool(_roster, request, actor, text)


def _roster(request: Request, actor: Principal, text: str) -> RosterReport | JSONResponse:
    try:
        rows = roster.read_csv(text)
    except InvalidInput as wrong:
        fields = [FieldError(field="line 1", message=str(wrong))]
        return _refused(f"{wrong}: correct the header", fields, "rules")
    try:
        report = roster.import_roster(
            built(request).desk, actor.username, rows, source=source_of(request)
        )
    except roster.RosterRefused as refused:
        fields = [FieldError(field=f"line {r.line}", message=r.reason) for r in refused.rejected]
        return _refused(str(refused), fields, "rules")
    rows_out = [
        RosterRowOut.model_validate(
            {"line": r.line, "outcome": r.outcome, "person_id": r.person_id}
        )
        for r in report.rows
    ]
    return RosterReport(counts=report.counts, rows=rows_out)


def _media_is(request: Request, expected: str) -> bool:
    """Whether the body is of ``expected`` (or says nothing of its type)."""
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    plus = expected.rsplit("/", 1)[1]
    return given in ("", expected) or (plus == "json" and given.endswith("+json"))


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unreadable() -> JSONResponse:
    return JSONResponse({"detail": NOT_UTF8}, status_code=400)


def _unsupported(expected: str) -> JSONResponse:
    detail = f"send the body as {expected} (Content-Type: {expected})"
    return JSONResponse({"detail": detail}, status_code=415)


def _refused(
    detail: str, fields: list[FieldError], by: Literal["schema", "rules"] = "schema"
) -> JSONResponse:
    """422: ``schema`` when the body does not fit the published schema, ``rules`` when it
    fits but what it says is refused (the OpenAPI contract tells the two apart)."""
    body = ValidationErrorBody(detail=detail, errors=fields, refused_by=by)
    return JSONResponse(body.model_dump(), status_code=422)

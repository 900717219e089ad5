"""Errors as the API answers them: one JSON shape, ``{"detail": "..."}``, one line that says what
was wrong and what to do, and a status that says whose move it is.

Domain errors map to statuses here and nowhere else. A refusal that the services did not put
on record themselves (a hidden or missing object) is audited here, with the client's address.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from lexdesk.domain.answers import LawContradicted
from lexdesk.domain.attachments import TooLarge
from lexdesk.domain.errors import (
    AccountLocked,
    ConcurrencyConflict,
    EscalationRefused,
    IllegalTransition,
    InvalidInput,
    LexdeskError,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    StillAnswering,
    Throttled,
)
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.deprecation import retirement_headers
from lexdesk.entrypoints.api.headers import RETRY_AFTER
from lexdesk.entrypoints.api.idempotency import Replay, replayed, settle
from lexdesk.services import audit


class ErrorBody(BaseModel):
    """What went wrong and what to do, in one line."""

    model_config = ConfigDict(extra="forbid")
    detail: str


class FieldError(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str
    message: str


class ValidationErrorBody(BaseModel):
    """A request refused as it stands: one message per field that is wrong."""

    model_config = ConfigDict(extra="forbid")
    detail: str
    errors: list[FieldError] = Field(
        default_factory=list, description="Each field that is wrong; empty for a business rule."
    )
    refused_by: Literal["schema", "rules"] = Field(
        "schema",
        description="schema: the request does not fit this document; rules: it fits, but "
        "what it says is refused (an unknown agency, a roster row without a name).",
    )


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


#: The errors any route may answer with.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("The body could not be read (not UTF-8)."),
    401: _error("Not signed in, or the session or token is no longer valid."),
    403: _error(
        "Signed in, but this role or token may not do this; or a privileged action whose"
        " session has not confirmed who it is in the last 5 minutes (POST /session/confirm)."
    ),
    404: _error("No such object, or it belongs to another agency."),
    413: _error("The body is larger than 1 MiB."),
    422: {"model": ValidationErrorBody, "description": "The request does not fit the schema."},
}
#: The sign-in steps' answer to an address that failed too often.
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorBody,
        "description": "Too many failed sign-ins from this client address: wait and retry.",
        "headers": RETRY_AFTER,
    }
}
#: And the errors of a route that changes an instrument.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    409: _error("The change is not allowed from the instrument's current state."),
    412: _error("If-Match named a version that someone else has changed since."),
    422: {"model": ValidationErrorBody, "description": "The request does not fit the schema."},
}


def status_of(error: LexdeskError, request: Request) -> int:
    match error:
        case Throttled():
            return 429
        case NotAuthenticated():
            return 401
        case NotPermitted():
            return 403
        case NotFound():
            return 404
        case IllegalTransition() | EscalationRefused() | LawContradicted():
            return 409
        case StillAnswering():
            return 409
        case ConcurrencyConflict():
            return 412 if request.headers.get("if-match") else 409
        case TooLarge():
            return 413
        case InvalidInput():
            return 422
    return 400


def error_response(request: Request, error: LexdeskError) -> JSONResponse:
    status = status_of(error, request)
    if isinstance(error, NotFound):
        _audit_hidden(request, error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, AccountLocked):
        headers = None
    if isinstance(error, Throttled):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse({"detail": str(error)}, status_code=status, headers=headers)


def validation_response(error: RequestValidationError) -> JSONResponse:
    fields = [
        FieldError(field=".".join(str(p) for p in e["loc"]), message=e["msg"])
        for e in error.errors()
    ]
    first = fields[0] if fields else FieldError(field="request", message="is not valid")
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    body = ValidationErrorBody(
        detail=f"{first.field}: {first.message}{more}: correct the request and send it again",
        errors=fields,
    )
    return JSONResponse(body.model_dump(), status_code=422)


def unknown_parameters(names: list[str]) -> JSONResponse:
    """A misspelt filter would otherwise be ignored silently, and the list would be wrong."""
    fields = [FieldError(field=f"query.{name}", message="unknown parameter") for name in names]
    body = ValidationErrorBody(
        detail=f"query.{names[0]}: unknown parameter: drop it or use one this route lists",
        errors=fields,
    )
    return JSONResponse(body.model_dump(), status_code=422)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def _audit_hidden(request: Request, error: NotFound) -> None:
    principal = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    audit.record_alone(
        built(request).desk,
        actor=principal.username if principal else "anonymous",
        agency=principal.agency_id if principal else "",
        action=f"api.{getattr(route, 'name', 'unknown')}",
        object_type=error.what.split(" ")[0][:40],
        object_id=error.key[:100],
        outcome="denied",
        source=source_of(request),
        detail={"status": 404, "method": request.method},
    )


class ApiRoute(APIRoute):
    """A route whose domain errors and invalid requests become the API's error bodies, and
    whose idempotency key, if it takes one, is answered from memory or settled."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        known = _query_names(self.dependant)
        retiring = retirement_headers(self.openapi_extra or {})

        async def answered(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                return unknown_parameters(unknown)
            try:
                response = await handler(request)
            except Replay as replay:
                return replayed(replay)
            except RequestValidationError as invalid:
                response = validation_response(invalid)
            except LexdeskError as error:
                response = await run_in_threadpool(error_response, request, error)
            except BaseException:
                if getattr(request.state, "idempotency", None):
                    await run_in_threadpool(settle, request, None)
                raise
            if getattr(request.state, "idempotency", None):
                await run_in_threadpool(settle, request, response)
            response.headers.update(retiring)
            return response

        return answered

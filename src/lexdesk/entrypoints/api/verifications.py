"""``POST /api/v1/verifications``: is this document one the desk issued? Public (no sign-in):
whoever received a subpoena or an order may ask. Upload the PDF (``file``) or type the code
printed on it (``code``). The answer names the document's kind, issuing agency, date and
whether the instrument still binds: never anything about the person. Rate-limited per client
address (429 with ``Retry-After``); every lookup is audited (docs/adr/0018-documents.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.datastructures import UploadFile

from lexdesk.domain.documents import Result
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import (
    COMMON_ERRORS,
    ApiRoute,
    FieldError,
    ValidationErrorBody,
    _error,
)
from lexdesk.entrypoints.api.headers import RETRY_AFTER
from lexdesk.entrypoints.api.schemas import Answer
from lexdesk.entrypoints.api.security import public
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.services import documents

#: The largest PDF read: the API's body ceiling (1 MiB) stops anything larger first.
UPLOAD_LIMIT = 1024 * 1024

router = APIRouter(
    tags=["verifications"],
    route_class=ApiRoute,
    responses={
        **{status: COMMON_ERRORS[status] for status in (400, 413, 422)},
        404: _error("No document was issued with that code."),
        429: {
            **_error("Too many verifications from this address: wait as Retry-After says."),
            "headers": RETRY_AFTER,
        },
    },
)
Public = Annotated[None, Depends(public)]


class Issuer(Answer):
    id: str
    name: str


class VerificationOut(Answer):
    result: Literal["authentic", "altered", "unknown"] = Field(
        description="authentic: the very document the desk issued (or, by code, a document "
        "with that code was issued: compare it with the paper); altered: it claims to be one "
        "the desk issued, and its bytes differ; unknown: the desk issued nothing like it."
    )
    code: str | None = None
    kind: str | None = Field(
        default=None, description="detainer, ..., answer_letter, production, transparency_report"
    )
    issuer: Issuer | None = None
    issued_at: datetime | None = None
    standing: (
        Literal[
            "in_force",
            "draft",
            "answered",
            "withdrawn",
            "superseded",
            "lapsed",
            "closed",
            "published",
            "corrected",
        ]
        | None
    ) = Field(
        default=None,
        description="Whether the instrument still binds its addressee; for a transparency "
        "report, whether it is the edition in force (published) or a later one corrected it.",
    )
    by: Literal["file", "code"]


def limited(request: Request) -> JSONResponse | None:
    limiter: RateLimiter = request.app.state.verify_limiter
    wait = limiter.wait_for(source_of(request))
    if wait <= 0:
        return None
    return JSONResponse(
        {"detail": "too many verifications from this address: try again in a minute"},
        status_code=429,
        headers={"Retry-After": str(int(wait) + 1)},
    )


BY_CODE = {
    "type": "object",
    "properties": {"code": {"type": "string", "maxLength": 40, "example": "7K2M-Q9XD-4HRT"}},
    "required": ["code"],
    "additionalProperties": False,
}
BY_FILE = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}},
    "required": ["file"],
    "additionalProperties": False,
}
BODY = {
    "requestBody": {
        "required": True,
        "description": "The code printed on the document (JSON), or the PDF itself (multipart).",
        "content": {
            "application/json": {"schema": BY_CODE},
            "multipart/form-data": {"schema": BY_FILE},
        },
    }
}


def _schema_error(field: str, message: str) -> JSONResponse:
    body = ValidationErrorBody(
        detail=f"{field}: {message}: correct the request and send it again",
        errors=[FieldError(field=field, message=message)],
    )
    return JSONResponse(body.model_dump(), status_code=422)


@router.post(
    "/verifications",
    name="verify_document",
    response_model=VerificationOut,
    openapi_extra=BODY,
)
async def verify_document(request: Request, _: Public) -> VerificationOut | JSONResponse:
    """Check a document: send ``{"code": ...}`` as JSON, or upload the PDF as ``file``
    (multipart/form-data). An upload is answered authentic, altered or unknown; a code that
    was never issued is a 404. Every lookup is audited; a client address may make 30 a minute.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return _schema_error("body", "is not JSON")
        if not isinstance(body, dict) or set(body) != {"code"} or not isinstance(body["code"], str):
            return _schema_error("body.code", "send exactly one field, code, a string")
        code: str | None = body["code"][:40]
        data = None
    elif kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _schema_error("body.file", "attach the PDF as the form field file")
        data, code = await upload.read(UPLOAD_LIMIT + 1), None
    else:
        return _schema_error(
            "content-type", "send application/json with a code, or multipart/form-data with a file"
        )
    refused = limited(request)
    if refused is not None:
        return refused
    desk, source = built(request).desk, source_of(request)
    if data is not None:
        verdict = await run_in_threadpool(documents.verify_file, desk, data, source=source)
        return VerificationOut.model_validate(verdict.to_json())
    verdict = await run_in_threadpool(documents.verify_code, desk, code or "", source=source)
    if verdict.result is Result.UNKNOWN:
        return JSONResponse(
            {"detail": f"no document was issued with the code {verdict.code}: treat the "
                       "paper as unverified and ask its sender"},
            status_code=404,
        )  # fmt: skip
    return VerificationOut.model_validate(verdict.to_json())

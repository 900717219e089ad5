"""``GET /api/v1/health``: is the desk fit to serve (security.md row 16, CJIS AU-5).

Public, like the sign-in steps, so that a load balancer or monitor can ask without a credential;
it answers nothing personal. Red (503) while an audit write failed within the last hour (the
desk's alarm, ``lexdesk.adapters.alarm``), or when the database does not answer or the audit
chain's head cannot be read. Every answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from lexdesk.domain.audit import format_time
from lexdesk.entrypoints.api.context import built
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.schemas import Answer
from lexdesk.entrypoints.api.security import public
from lexdesk.queries import health as probes

#: How long after an audit write failed the desk stays red: the alerting window (AU-5).
ALARM_WINDOW = timedelta(hours=1)
NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)

router = APIRouter(
    tags=["health"],
    route_class=ApiRoute,
    responses={status: COMMON_ERRORS[status] for status in (413, 422)},
)
Public = Annotated[None, Depends(public)]


class Healthy(Answer):
    status: Literal["ok"]


class Failing(Answer):
    status: Literal["failing"]
    audit: str | None = Field(
        default=None, description="When the last audit write failed, and why (within the hour)."
    )
    database: str | None = Field(
        default=None, description="What the database check found, if it failed."
    )


@router.get(
    "/health",
    name="health",
    response_model=Healthy,
    responses={503: {"model": Failing, "description": "The desk is failing: alert someone."}},
)
def health(request: Request, response: Response, _: Public) -> Healthy | JSONResponse:
    """``ok``, or 503 ``failing`` with what failed: an audit write within the last hour, the
    database, or the audit chain's head."""
    app = built(request)
    problems: dict[str, str] = {}
    state = app.desk.alarm.state()
    if state is not None and app.desk.clock.now() - state.at < ALARM_WINDOW:
        problems["audit"] = f"last audit write failure at {format_time(state.at)}: {state.reason}"
    try:
        with app.engine.connect() as db:
            if not probes.database_answers(db):
                problems["database"] = "the database did not answer SELECT 1"
            elif not probes.audit_head_readable(db):
                problems["database"] = "the audit chain's head could not be read"
    except Exception as error:  # any failure to reach the database is the answer
        log.error("health check: database or audit head unreadable (%s)", type(error).__name__)
        name = type(error).__name__
        problems["database"] = f"the database or the audit chain's head is unreadable ({name})"
    if problems:
        failing = Failing(status="failing", **problems)
        return JSONResponse(failing.model_dump(), status_code=503, headers=NO_STORE)
    response.headers.update(NO_STORE)
    return Healthy(status="ok")

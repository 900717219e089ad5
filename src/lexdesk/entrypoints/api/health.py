"""``GET /api/v1/health``: is the desk fit to serve (security.md row 16, CJIS AU-5).

Public, like the sign-in steps, so that a load balancer or monitor can ask without a credential;
it answers nothing personal. Red (503) while an audit write failed within the last hour (the
desk's alarm, ``lexdesk.adapters.alarm``), when the database does not answer or the audit
chain's head cannot be read, when an audit entry has waited five minutes to be chained (entries
are chained within milliseconds of their commit, or by the worker's sweep after a failure:
docs/adr/0029-audit-sequencer.md), or when no worker has swept for five minutes (the desk's clock
has stopped: nothing lapses, no one is reminded; docs/adr/0014-worker-outbox.md). Every answer is
``Cache-Control: no-store``.
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
#: How long without a sweep before the desk's clock counts as stopped.
SWEEP_WINDOW = timedelta(minutes=5)
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
    last_sweep: str | None = Field(
        default=None, description="When a worker last swept (UTC), and which worker."
    )


class Failing(Answer):
    status: Literal["failing"]
    audit: str | None = Field(
        default=None, description="When the last audit write failed, and why (within the hour)."
    )
    database: str | None = Field(
        default=None, description="What the database check found, if it failed."
    )
    worker: str | None = Field(
        default=None, description="When a worker last swept, if none has for five minutes."
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
    last_sweep, since = None, None
    try:
        with app.engine.connect() as db:
            if not probes.database_answers(db):
                problems["database"] = "the database did not answer SELECT 1"
            elif not probes.audit_head_readable(db):
                problems["database"] = "the audit chain's head could not be read"
            else:
                last_sweep = probes.last_sweep(db)
                waiting, since = probes.waiting_entries(db)
    except Exception as error:  # any failure to reach the database is the answer
        log.error("health check: database or audit head unreadable (%s)", type(error).__name__)
        name = type(error).__name__
        problems["database"] = f"the database or the audit chain's head is unreadable ({name})"
    if "database" not in problems:
        if since is not None and app.desk.clock.now() - since > SWEEP_WINDOW:
            problems["audit"] = (
                f"{waiting} audit entries wait to be chained, the oldest since"
                f" {format_time(since)}: start `lexdesk worker`, or run `lexdesk audit verify`"
            )
        if last_sweep is None:
            problems["worker"] = "no worker has swept: start `lexdesk worker`"
        elif app.desk.clock.now() - last_sweep[0] > SWEEP_WINDOW:
            problems["worker"] = (
                f"no worker has swept since {format_time(last_sweep[0])} ({last_sweep[1]}): "
                "start `lexdesk worker`"
            )
    if problems:
        failing = Failing(status="failing", **problems)
        return JSONResponse(failing.model_dump(), status_code=503, headers=NO_STORE)
    response.headers.update(NO_STORE)
    assert last_sweep is not None
    return Healthy(status="ok", last_sweep=f"{format_time(last_sweep[0])} by {last_sweep[1]}")

"""``/api/v1/audit``: an auditor reads the audit trail of their own agency (CJIS AU-6, AU-9(4));
the reading is itself on record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.schemas import Answer, Cursor, Limit
from lexdesk.entrypoints.api.security import requires
from lexdesk.queries import api_lists
from lexdesk.services import audit
from lexdesk.services.accounts import Principal

router = APIRouter(prefix="/audit", tags=["audit"], route_class=ApiRoute, responses=COMMON_ERRORS)


class AuditEntryOut(Answer):
    seq: int
    at: datetime
    actor: str
    agency: str
    action: str
    object_type: str
    object_id: str
    outcome: Literal["success", "failure", "denied"]
    source: str
    detail: dict[str, Any]
    hash: str


class AuditPage(Answer):
    items: list[AuditEntryOut]
    next_cursor: str | None


@router.get("/entries", name="list_audit_entries")
def list_audit_entries(
    request: Request,
    auditor: Annotated[Principal, Depends(requires(Permission.AUDIT_READ))],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AuditPage:
    """The agency's entries, oldest first; the chain itself is checked by `lexdesk audit verify`."""
    app = built(request)
    with app.engine.connect() as db:
        page = api_lists.audit_entries(db, auditor.agency_id, limit, cursor)
    audit.record_read(
        app.desk,
        actor=auditor.username,
        agency=auditor.agency_id,
        object_type="audit_log",
        object_id=auditor.agency_id,
        source=source_of(request),
        detail={"rows": len(page.rows)},
    )
    items = [
        AuditEntryOut(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            agency=r.agency,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            outcome=r.outcome,
            source=r.source,
            detail=dict(r.detail),
            hash=r.hash,
        )
        for r in page.rows
    ]
    return AuditPage(items=items, next_cursor=page.next_cursor)

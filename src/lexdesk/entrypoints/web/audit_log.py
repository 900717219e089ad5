"""The audit log, for auditors only: the chain's verification and the agency's entries."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web import accounts_list
from lexdesk.entrypoints.web.pages import Viewer, Web, render, require, viewer, web
from lexdesk.services import audit

router = APIRouter()


@router.get("/audit")
def audit_page(
    request: Request, page: int = 1, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.AUDIT_READ)
    checked = audit.verify(site.built.desk)
    with site.built.engine.connect() as db:
        rows, total = accounts_list.audit_entries(db, seen.agency.id, page)
    pages = max(1, -(-total // accounts_list.AUDIT_PAGE))
    context = {"viewer": seen, "checked": checked, "rows": rows, "page": page, "pages": pages}
    return render(request, "audit.html", context)

"""``/admin/users/review``: the annual account review for an agency's administrators (CJIS
AC-2 j; docs/accounts.md), as a page and a CSV. A privileged read: on record each time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web.confirm import confirmed_viewer
from lexdesk.entrypoints.web.exports import csv_download
from lexdesk.entrypoints.web.pages import Viewer, Web, render, require, web
from lexdesk.queries.account_review import HEADING, ReviewRow, review_of
from lexdesk.services import audit

router = APIRouter(prefix="/admin")


@router.get("/users/review")
def review_page(
    request: Request, seen: Viewer = Depends(confirmed_viewer), site: Web = Depends(web)
) -> Response:
    rows = _reviewed(site, seen, "page")
    return render(request, "admin_review.html", {"viewer": seen, "rows": rows})


@router.get("/users/review.csv")
def review_csv(seen: Viewer = Depends(confirmed_viewer), site: Web = Depends(web)) -> Response:
    rows = _reviewed(site, seen, "csv")
    today = site.built.desk.clock.now().astimezone(seen.timezone).date()
    name = f"account-review-{seen.agency.id}-{today.isoformat()}.csv"
    return csv_download(HEADING, [row.cells() for row in rows], name)


def _reviewed(site: Web, seen: Viewer, shape: str) -> list[ReviewRow]:
    require(seen, Permission.USER_ADMIN)
    with site.built.engine.connect() as db:
        rows = review_of(db, seen.agency.id)
    audit.record_read(  # a privileged read of the accounts (CJIS AC-6(9))
        site.built.desk,
        actor=seen.username,
        agency=seen.agency.id,
        object_type="account_review",
        object_id=seen.agency.id,
        source=seen.source,
        detail={"accounts": len(rows), "as": shape},
    )
    return rows

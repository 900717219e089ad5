"""One home per party: the lists of instruments that this agency must act on or watch.

The view (a tab) is in the URL; the search, which may be a person's name, is posted and never
put in a URL (security.md row 26), and so are the sort and page that go with it. What a row
shows is the disclosure policy's (``queries.desk_lists``). A user whose roles read no
instruments (an auditor, an administrator) is taken to their own work instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    viewer,
    web,
)
from lexdesk.queries import desk_lists
from lexdesk.services import audit

router = APIRouter()

HEADINGS = {
    "custodial": "Instruments addressed to {name}",
    "immigration": "Requests issued by {name}",
    "prosecutor": "Referrals and petitions of {name}",
    "court": "Petitions and orders of {name}",
}


@router.get("/")
def home(
    request: Request, view: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    if not seen.may(Permission.INSTRUMENT_READ):
        return _elsewhere(seen)
    return show_list(request, site, seen, view, "", "urgency", 1)


@router.post("/")
def search(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    if not sent.viewer.may(Permission.INSTRUMENT_READ):
        return _elsewhere(sent.viewer)
    page = int(sent.get("page")) if sent.get("page").isdigit() else 1
    view, q, sort = sent.get("view"), sent.get("q"), sent.get("sort")
    return show_list(request, site, sent.viewer, view, q, sort, page)


def _elsewhere(seen: Viewer) -> Response:
    if seen.has_admin:
        return redirect("/admin/users")
    if seen.has_auditor:
        return redirect("/audit")
    raise PageRefused(404, "There is no such page.")


def show_list(
    request: Request, site: Web, seen: Viewer, view: str, q: str, sort: str, page: int
) -> Response:
    kind = seen.agency.kind
    chosen = desk_lists.view_for(kind, view)
    sort = sort if sort in desk_lists.SORTS else "urgency"
    with site.built.engine.connect() as db:
        found = desk_lists.instruments_page(
            db,
            seen.agency.id,
            kind,
            chosen,
            now=site.built.desk.clock.now(),
            q=q,
            sort=sort,
            number=page,
        )
    if found.rows:
        # The list names people: a read of personal data, on record like any other.
        audit.record_read(
            site.built.desk,
            actor=seen.username,
            agency=seen.agency.id,
            object_type="person_list",
            object_id=chosen.key,
            source=seen.source,
            detail={"cases": sorted({row.case_id for row in found.rows})},
        )
    context = {
        "viewer": seen,
        "heading": HEADINGS[kind.value].format(name=seen.agency.name),
        "views": desk_lists.VIEWS[kind],
        "chosen": chosen,
        "q": q,
        "sort": sort,
        "sorts": desk_lists.SORTS,
        "found": found,
        "holder": kind.value == "custodial" and chosen.mine == "addressee",
    }
    return render(request, "home.html", context)

"""One home per party: the lists of instruments that this agency must act on or watch.

The view (a tab) is in the URL; the search, which may be a person's name, is posted and never
put in a URL (security.md row 26), and so are the sort and page that go with it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.entrypoints.web import listing
from lexdesk.entrypoints.web.pages import Posted, Viewer, Web, posted, render, viewer, web
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
    return show_list(request, site, seen, view, "", "urgency", 1)


@router.post("/")
def search(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    page = int(sent.get("page")) if sent.get("page").isdigit() else 1
    view, q, sort = sent.get("view"), sent.get("q"), sent.get("sort")
    return show_list(request, site, sent.viewer, view, q, sort, page)


def show_list(
    request: Request, site: Web, seen: Viewer, view: str, q: str, sort: str, page: int
) -> Response:
    kind = seen.agency.kind
    chosen = listing.view_for(kind, view)
    sort = sort if sort in listing.SORTS else "urgency"
    with site.built.engine.connect() as db:
        found = listing.instruments_page(
            db, seen.agency.id, chosen, now=site.built.desk.clock.now(), q=q, sort=sort, number=page
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
        "views": listing.VIEWS[kind],
        "chosen": chosen,
        "q": q,
        "sort": sort,
        "sorts": listing.SORTS,
        "found": found,
    }
    return render(request, "home.html", context)

"""One home per party: the lists of instruments that this agency must act on or watch."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.entrypoints.web import listing
from lexdesk.entrypoints.web.pages import Viewer, Web, render, viewer, web

router = APIRouter()

HEADINGS = {
    "custodial": "Instruments addressed to {name}",
    "immigration": "Requests issued by {name}",
    "prosecutor": "Referrals and petitions of {name}",
    "court": "Petitions and orders of {name}",
}


@router.get("/")
def home(
    request: Request,
    view: str = "",
    q: str = "",
    sort: str = "urgency",
    page: int = 1,
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    kind = seen.agency.kind
    chosen = listing.view_for(kind, view)
    with site.built.engine.connect() as db:
        found = listing.instruments_page(
            db, seen.agency.id, chosen, now=site.built.desk.clock.now(), q=q, sort=sort, number=page
        )
    context = {
        "viewer": seen,
        "heading": HEADINGS[kind.value].format(name=seen.agency.name),
        "views": listing.VIEWS[kind],
        "chosen": chosen,
        "q": q,
        "sort": sort if sort in listing.SORTS else "urgency",
        "sorts": listing.SORTS,
        "found": found,
    }
    return render(request, "home.html", context)

"""The case page, and the one-click transitions taken from it (acknowledge, withdraw)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.visibility import InstrumentView
from lexdesk.entrypoints.web import forms
from lexdesk.entrypoints.web.casefile import NO_SUCH_CASE, open_case
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
from lexdesk.services import disclosures
from lexdesk.services import instruments as verbs

router = APIRouter()


@router.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    return show_case(request, site, seen, case_id)


@router.post("/instruments/{instrument_id}/acknowledge")
def acknowledge(
    request: Request, instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    command = verbs.Acknowledge(
        sent.viewer.username, instrument_id, _version(sent), sent.get("reason"), sent.viewer.source
    )
    return act(
        request,
        site,
        sent.viewer,
        instrument_id,
        lambda: verbs.acknowledge(site.built.desk, command),
        "acknowledged",
    )


@router.post("/instruments/{instrument_id}/withdraw")
def withdraw(
    request: Request, instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    checked = forms.check_reason(sent)
    if checked.errors:
        found = instrument_seen(site, sent.viewer, instrument_id)
        context = {
            "viewer": sent.viewer,
            "ins": found.instrument,
            "version": found.version,
            "errors": checked.errors,
            "values": checked.values,
        }
        return render(request, "withdraw.html", context, 400)
    command = verbs.Withdraw(
        sent.viewer.username, instrument_id, sent.get("reason"), _version(sent), sent.viewer.source
    )
    return act(
        request,
        site,
        sent.viewer,
        instrument_id,
        lambda: verbs.withdraw(site.built.desk, command),
        "withdrawn",
    )


def show_case(
    request: Request, site: Web, seen: Viewer, case_id: str, error: str = "", status: int = 200
) -> Response:
    found = open_case(site.built, seen, case_id)
    return render(request, "case.html", {"viewer": seen, "file": found, "error": error}, status)


def act(
    request: Request,
    site: Web,
    seen: Viewer,
    instrument_id: str,
    call: Callable[[], Instrument],
    said: str,
) -> Response:
    """Take one transition; back to the case page saying so, or the case page with the
    refusal."""
    seen_now = instrument_seen(site, seen, instrument_id)
    try:
        done = call()
    except LexdeskError as error:
        return show_case(request, site, seen, seen_now.instrument.case_id, str(error), 409)
    return redirect(f"/cases/{done.case_id}#{done.id}", done=said)


def instrument_seen(site: Web, seen: Viewer, instrument_id: str) -> InstrumentView:
    """The instrument as the viewer's agency may see it, or the page that is not there."""
    desk = site.built.desk
    try:
        return disclosures.visible_instrument(desk, seen.principal, instrument_id, seen.source)
    except (NotFound, LexdeskError):
        raise PageRefused(404, NO_SUCH_CASE) from None


def _version(sent: Posted) -> int | None:
    value = sent.get("version")
    return int(value) if value.isdigit() else None

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
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import disclosures
from lexdesk.services import instruments as verbs

router = APIRouter()


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The case; after a refused transition, with the refusal said at the top."""
    kept = returned(site, seen, case_form(case_id), draft)
    error = kept.errors.get("general", "") if kept else ""
    return show_case(request, site, seen, case_id, error)


@router.post("/instruments/{instrument_id}/acknowledge")
def acknowledge(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    command = verbs.Acknowledge(
        sent.viewer.username, instrument_id, _version(sent), sent.get("reason"), sent.viewer.source
    )
    return act(
        sent,
        site,
        instrument_id,
        lambda: verbs.acknowledge(site.built.desk, command),
        "acknowledged",
    )


@router.post("/instruments/{instrument_id}/withdraw")
def withdraw(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    checked = forms.check_reason(sent)
    if checked.errors:
        instrument_seen(site, sent.viewer, instrument_id)  # no such page for one who may not
        url = f"/instruments/{instrument_id}/withdraw"
        return send_back(sent, site, withdraw_form_name(instrument_id), url, checked.errors)
    command = verbs.Withdraw(
        sent.viewer.username, instrument_id, sent.get("reason"), _version(sent), sent.viewer.source
    )
    return act(
        sent, site, instrument_id, lambda: verbs.withdraw(site.built.desk, command), "withdrawn"
    )


def withdraw_form_name(instrument_id: str) -> str:
    return f"withdraw:{instrument_id}"


def case_form(case_id: str) -> str:
    """A refused transition taken from the case page comes back to it under this name."""
    return f"case:{case_id}"


def show_case(
    request: Request, site: Web, seen: Viewer, case_id: str, error: str = "", status: int = 200
) -> Response:
    found = open_case(site.built, seen, case_id)
    return render(request, "case.html", {"viewer": seen, "file": found, "error": error}, status)


def act(
    sent: Posted, site: Web, instrument_id: str, call: Callable[[], Instrument], said: str
) -> Response:
    """Take one transition; back to the case page saying so, or the case page with the
    refusal."""
    case_id = instrument_seen(site, sent.viewer, instrument_id).instrument.case_id
    try:
        done = call()
    except LexdeskError as error:
        errors = {"general": str(error)}
        return send_back(sent, site, case_form(case_id), f"/cases/{case_id}", errors)
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

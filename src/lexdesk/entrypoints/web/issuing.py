"""Issuing a request and escalating along the ladder: form, confirmation, then the service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Rung, next_rung
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import AgencyKind, disclosed_field
from lexdesk.entrypoints.web import forms
from lexdesk.entrypoints.web.cases import case_of
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    viewer,
    web,
)
from lexdesk.services import instruments as verbs

router = APIRouter()


@router.get("/instruments/new")
def issue_form(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    _require_requester(seen)
    return _issue_page(request, site, seen, forms.Checked({"warrant": "none"}, (), {}))


@router.post("/instruments/new")
def issue(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    _require_requester(seen)
    checked = forms.check_issue(sent)
    if not forms.ready(sent, checked):
        return _issue_page(request, site, seen, checked, forms.confirming(sent, checked))
    try:
        done = verbs.issue_instrument(
            site.built.desk, forms.issue_command(seen.username, checked, seen.source)
        )
    except LexdeskError as error:
        field = "person" if isinstance(error, NotFound) else "general"
        return _issue_page(request, site, seen, checked.failed(field, str(error)))
    return redirect(f"/cases/{done.case_id}#{done.id}")


@router.get("/instruments/{instrument_id}/escalate")
def escalate_form(
    request: Request, instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    parent, rung = _rung(site, seen, instrument_id)
    inherited = tuple(a for a in parent.actions if disclosed_field(a))
    return _escalate_page(request, site, seen, parent, rung, forms.Checked({}, inherited, {}))


@router.post("/instruments/{instrument_id}/escalate")
def escalate(
    request: Request, instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    parent, rung = _rung(site, seen, instrument_id)
    addressee = _addressee(site, parent, rung, sent.get("addressee"))
    checked = forms.check_escalation(sent, rung, addressee)
    if not forms.ready(sent, checked):
        confirm = forms.confirming(sent, checked)
        return _escalate_page(request, site, seen, parent, rung, checked, confirm)
    command = forms.escalate_command(seen.username, parent, checked, addressee, seen.source)
    try:
        done = verbs.escalate(site.built.desk, command)
    except LexdeskError as error:
        return _escalate_page(
            request, site, seen, parent, rung, checked.failed("general", str(error))
        )
    return redirect(f"/cases/{done.case_id}#{done.id}")


@router.get("/instruments/{instrument_id}/withdraw")
def withdraw_form(
    request: Request, instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    instrument = case_of(site, seen, instrument_id).instrument(instrument_id)
    return render(request, "withdraw.html", {"viewer": seen, "ins": instrument, "errors": {}})


def _require_requester(seen: Viewer) -> None:
    require(seen, Permission.INSTRUMENT_ISSUE)
    if seen.agency.kind is not AgencyKind.IMMIGRATION:
        raise PageRefused(404, "Only a requesting agency issues requests.")


def _rung(site: Web, seen: Viewer, instrument_id: str) -> tuple[Instrument, Rung]:
    parent = case_of(site, seen, instrument_id).instrument(instrument_id)
    rung = next_rung(parent.kind)
    if rung is None:
        raise PageRefused(404, f"A {parent.kind.value} is the top of the ladder.")
    return parent, rung


def _addressee(site: Web, parent: Instrument, rung: Rung, named: str) -> Any:
    with site.built.desk.uow() as uow:
        if rung.next_addressee is AgencyKind.CUSTODIAL:
            case = uow.cases.of_instrument(parent.id)
            return uow.agencies.get(case.custodial_agency_id) if case else None
        return uow.agencies.get(named) if named else None


def _agencies(site: Web) -> Any:
    with site.built.desk.uow() as uow:
        return uow.agencies.list()


def _issue_page(
    request: Request, site: Web, seen: Viewer, checked: forms.Checked, confirm: bool = False
) -> Response:
    context = {
        "viewer": seen,
        "checked": checked,
        "confirm": confirm,
        "forms": forms,
        "custodians": forms.choices(_agencies(site), AgencyKind.CUSTODIAL),
    }
    status = 400 if checked.errors and checked.values.get("kind") else 200
    return render(request, "issue.html", context, status)


def _escalate_page(
    request: Request,
    site: Web,
    seen: Viewer,
    parent: Instrument,
    rung: Rung,
    checked: forms.Checked,
    confirm: bool = False,
) -> Response:
    context = {
        "viewer": seen,
        "parent": parent,
        "rung": rung,
        "checked": checked,
        "confirm": confirm,
        "forms": forms,
        "addressees": forms.choices(_agencies(site), rung.next_addressee),
        "dated": rung.target in forms.DATED,
    }
    return render(request, "escalate.html", context, 400 if checked.errors else 200)

"""Issuing a request and escalating along the ladder: form, review, then the service.

The review step runs every check the service makes (``preview_issue``, ``preview_escalation``:
the same code, rolled back), so "Send" never fails on something the review could have said.
A court issues its order from a granted petition as "Issue order"."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import Rung, next_rung
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import InstrumentView
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind, disclosed_field
from lexdesk.entrypoints.web import forms
from lexdesk.entrypoints.web.cases import instrument_seen
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    sentence,
    viewer,
    web,
)
from lexdesk.services import instruments as verbs
from lexdesk.services.authorization import may

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
    checked = forms.check_issue(sent, forms.choices(_agencies(site), AgencyKind.CUSTODIAL))
    if checked.errors or sent.get("edit"):
        return _issue_page(request, site, seen, checked)
    command = forms.issue_command(seen.username, checked, seen.source)
    desk = site.built.desk
    try:
        if sent.get("confirmed") != "yes":
            preview = verbs.preview_issue(desk, command)
            return _issue_page(request, site, seen, checked, preview)
        done = verbs.issue_instrument(desk, command)
    except LexdeskError as error:
        field = "person" if isinstance(error, NotFound) else forms.field_of(error)
        return _issue_page(request, site, seen, checked.failed(field, sentence(error)))
    return redirect(f"/cases/{done.case_id}#{done.id}", done="issued")


@router.get("/instruments/{instrument_id}/escalate")
def escalate_form(
    request: Request, instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    parent, rung = _rung(site, seen, instrument_id)
    inherited = _inherited(parent)
    return _escalate_page(request, site, seen, parent, rung, forms.Checked({}, inherited, {}))


@router.post("/instruments/{instrument_id}/escalate")
def escalate(
    request: Request, instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    parent, rung = _rung(site, seen, instrument_id)
    addressee = forms.addressee_for(site.built.desk, parent.instrument, rung, sent.get("addressee"))
    checked = forms.check_escalation(sent, rung, addressee, site.built.desk.clock.now())
    if checked.errors or sent.get("edit"):
        return _escalate_page(request, site, seen, parent, rung, checked)
    command = forms.escalate_command(
        seen.username, parent.instrument, parent.version, checked, addressee, seen.source
    )
    desk = site.built.desk
    try:
        if sent.get("confirmed") != "yes":
            preview = verbs.preview_escalation(desk, command)
            return _escalate_page(request, site, seen, parent, rung, checked, preview)
        done = verbs.escalate(desk, command)
    except LexdeskError as error:
        failed = checked.failed(forms.field_of(error), sentence(error))
        return _escalate_page(request, site, seen, parent, rung, failed)
    said = "ordered" if done.kind is InstrumentKind.COURT_ORDER else "escalated"
    return redirect(f"/cases/{done.case_id}#{done.id}", done=said)


@router.get("/instruments/{instrument_id}/withdraw")
def withdraw_form(
    request: Request, instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.INSTRUMENT_WITHDRAW)
    found = instrument_seen(site, seen, instrument_id)
    if not may(seen.principal, Permission.INSTRUMENT_WITHDRAW, found.instrument):
        raise PageRefused(404, "There is no such page.")
    context = {"viewer": seen, "ins": found.instrument, "version": found.version, "errors": {}}
    return render(request, "withdraw.html", context)


def _require_requester(seen: Viewer) -> None:
    require(seen, Permission.INSTRUMENT_ISSUE)
    if seen.agency.kind is not AgencyKind.IMMIGRATION:
        raise PageRefused(404, "Only a requesting agency issues requests.")


def _rung(site: Web, seen: Viewer, instrument_id: str) -> tuple[InstrumentView, Rung]:
    require(seen, Permission.INSTRUMENT_ESCALATE)
    parent = instrument_seen(site, seen, instrument_id)
    rung = next_rung(parent.instrument.kind)
    if rung is None or not may(seen.principal, Permission.INSTRUMENT_ESCALATE, parent.instrument):
        raise PageRefused(404, "There is no such page.")
    return parent, rung


def _inherited(parent: InstrumentView) -> tuple[str, ...]:
    if parent.instrument.kind is InstrumentKind.ENFORCEMENT_PETITION:
        return parent.instrument.granted_scope
    return tuple(a for a in parent.instrument.actions if disclosed_field(a))


def _requester(site: Web, instrument: Instrument) -> str:
    """The agency whose request started the case (a court order is produced to it)."""
    with site.built.desk.uow() as uow:
        case = uow.cases.of_instrument(instrument.id)
    return case.requesting_agency_id if case else ""


def _agencies(site: Web) -> list[Agency]:
    with site.built.desk.uow() as uow:
        return list(uow.agencies.list())


def _issue_page(
    request: Request,
    site: Web,
    seen: Viewer,
    checked: forms.Checked,
    preview: InstrumentView | None = None,
) -> Response:
    custodians = forms.choices(_agencies(site), AgencyKind.CUSTODIAL)
    context = {
        "viewer": seen,
        "checked": checked,
        "confirm": preview is not None,
        "preview": preview,
        "forms": forms,
        "custodians": custodians,
    }
    status = 400 if checked.errors else 200
    return render(request, "issue.html", context, status)


def _escalate_page(
    request: Request,
    site: Web,
    seen: Viewer,
    parent: InstrumentView,
    rung: Rung,
    checked: forms.Checked,
    preview: InstrumentView | None = None,
) -> Response:
    context = {
        "viewer": seen,
        "parent": parent.instrument,
        "parent_status": parent.status,
        "rung": rung,
        "checked": checked,
        "confirm": preview is not None,
        "preview": preview,
        "forms": forms,
        "addressees": forms.choices(_agencies(site), rung.next_addressee),
        "dated": rung.target in forms.DATED,
        "addressee_zone": _zone_of(site, parent, rung),
        "verb": "Issue the order" if rung.target is InstrumentKind.COURT_ORDER else "Send",
        "parent_case_requester": _requester(site, parent.instrument),
    }
    return render(request, "escalate.html", context, 400 if checked.errors else 200)


def _zone_of(site: Web, parent: InstrumentView, rung: Rung) -> str:
    """The time zone a return date is kept in: the custodian's (the addressee of a court order
    and of a subpoena alike)."""
    addressee = forms.addressee_for(site.built.desk, parent.instrument, rung, "")
    if addressee is None or rung.target not in forms.DATED:
        return "the addressee's time zone"
    return DeadlinePolicy.from_json(addressee.deadline_policy).timezone

"""Issuing a request and escalating along the ladder: form, review, then the service.

The review step runs every check the service makes (``preview_issue``, ``preview_escalation``:
the same code, rolled back), so "Send" never fails on something the review could have said.
A court issues its order from a granted petition as "Issue order"."""

from __future__ import annotations

from collections.abc import Callable

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
from lexdesk.domain.work import FormDraft
from lexdesk.entrypoints.web import forms
from lexdesk.entrypoints.web.cases import instrument_seen, withdraw_form_name
from lexdesk.entrypoints.web.pages import (
    Fields,
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
from lexdesk.entrypoints.web.returned import returned
from lexdesk.services import instruments as verbs
from lexdesk.services import work
from lexdesk.services.authorization import may

router = APIRouter()
#: The drafts' form names; an escalation's names its parent, so a draft fits one form only.
ISSUE, ESCALATE = "issue", "escalate"
EXPIRED = (
    "This review is no longer kept (a form is kept for a day, for the one who filled it in): "
    "fill in the form again."
)


@router.get("/instruments/new")
def issue_form(
    request: Request,
    draft: str = "",
    edit: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The form, blank or as its draft holds it: checked, or for review when it passes."""
    _require_requester(seen)
    kept = _draft(site, seen, ISSUE, draft)
    if kept is None:
        blank = forms.Checked({"warrant": "none"}, (), {})
        return _issue_page(request, site, seen, blank, gone=bool(draft))
    checked = forms.check_issue(Fields(kept.fields), _custodians(site))
    if kept.sent_to is not None or checked.errors or edit:
        return _issue_page(request, site, seen, checked, draft=kept)
    try:
        command = forms.issue_command(seen.username, checked, seen.source)
        preview = verbs.preview_issue(site.built.desk, command)
    except LexdeskError as error:
        field = "person" if isinstance(error, NotFound) else forms.field_of(error)
        failed = checked.failed(field, sentence(error))
        return _issue_page(request, site, seen, failed, draft=kept)
    return _issue_page(request, site, seen, checked, preview, draft=kept)


@router.post("/instruments/new")
def issue(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """Keep what was typed and show it by GET; or, on Send, send the reviewed draft once."""
    seen = sent.viewer
    _require_requester(seen)
    desk = site.built.desk
    if sent.get("confirmed") != "yes":
        draft_id = work.save_draft(desk, seen.principal.user_id, ISSUE, sent.fields())
        return redirect(f"/instruments/new?draft={draft_id}")
    kept = _draft(site, seen, ISSUE, sent.get("draft"))
    if kept is None:
        raise PageRefused(400, EXPIRED)
    back = f"/instruments/new?draft={kept.id}"
    checked = forms.check_issue(Fields(kept.fields), _custodians(site))
    if checked.errors:
        return redirect(back)

    def send() -> str:
        done = verbs.issue_instrument(
            desk, forms.issue_command(seen.username, checked, seen.source)
        )
        return f"/cases/{done.case_id}#{done.id}"

    return _sent(site, kept.id, send, back, "issued")


@router.get("/instruments/{instrument_id}/escalate")
def escalate_form(
    request: Request,
    instrument_id: str,
    draft: str = "",
    edit: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    parent, rung = _rung(site, seen, instrument_id)
    form = f"{ESCALATE}:{instrument_id}"
    kept = _draft(site, seen, form, draft)
    if kept is None:
        blank = forms.Checked({}, _inherited(parent), {})
        return _escalate_page(request, site, seen, parent, rung, blank, gone=bool(draft))
    desk = site.built.desk
    values = Fields(kept.fields)
    addressee = forms.addressee_for(desk, parent.instrument, rung, values.get("addressee"))
    checked = forms.check_escalation(values, rung, addressee, desk.clock.now())
    if kept.sent_to is not None or checked.errors or edit:
        return _escalate_page(request, site, seen, parent, rung, checked, draft=kept)
    command = forms.escalate_command(
        seen.username, parent.instrument, parent.version, checked, addressee, seen.source
    )
    try:
        preview = verbs.preview_escalation(desk, command)
    except LexdeskError as error:
        failed = checked.failed(forms.field_of(error), sentence(error))
        return _escalate_page(request, site, seen, parent, rung, failed, draft=kept)
    return _escalate_page(request, site, seen, parent, rung, checked, preview, draft=kept)


@router.post("/instruments/{instrument_id}/escalate")
def escalate(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    parent, rung = _rung(site, seen, instrument_id)
    desk, form = site.built.desk, f"{ESCALATE}:{instrument_id}"
    if sent.get("confirmed") != "yes":
        draft_id = work.save_draft(desk, seen.principal.user_id, form, sent.fields())
        return redirect(f"/instruments/{instrument_id}/escalate?draft={draft_id}")
    kept = _draft(site, seen, form, sent.get("draft"))
    if kept is None:
        raise PageRefused(400, EXPIRED)
    back = f"/instruments/{instrument_id}/escalate?draft={kept.id}"
    values = Fields(kept.fields)
    addressee = forms.addressee_for(desk, parent.instrument, rung, values.get("addressee"))
    checked = forms.check_escalation(values, rung, addressee, desk.clock.now())
    if checked.errors:
        return redirect(back)
    command = forms.escalate_command(
        seen.username, parent.instrument, parent.version, checked, addressee, seen.source
    )
    said = "ordered" if rung.target is InstrumentKind.COURT_ORDER else "escalated"

    def send() -> str:
        done = verbs.escalate(desk, command)
        return f"/cases/{done.case_id}#{done.id}"

    return _sent(site, kept.id, send, back, said)


def _draft(site: Web, seen: Viewer, form: str, draft_id: str) -> FormDraft | None:
    if not draft_id:
        return None
    return work.draft(site.built.desk, seen.principal.user_id, form, draft_id[:40])


def _sent(site: Web, draft_id: str, send: Callable[[], str], back: str, said: str) -> Response:
    """Send the draft once; a refusal goes back to the review, which says why (the service's
    checks run again there); a second Send finds it sent and goes where the first led."""
    try:
        sent_to = work.send_draft(site.built.desk, draft_id, send)
    except LexdeskError:
        return redirect(back)
    return redirect(sent_to, done=said) if sent_to else redirect(back)


@router.get("/instruments/{instrument_id}/withdraw")
def withdraw_form(
    request: Request,
    instrument_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    require(seen, Permission.INSTRUMENT_WITHDRAW)
    found = instrument_seen(site, seen, instrument_id)
    if not may(seen.principal, Permission.INSTRUMENT_WITHDRAW, found.instrument):
        raise PageRefused(404, "There is no such page.")
    kept = returned(site, seen, withdraw_form_name(instrument_id), draft)
    context = {
        "viewer": seen,
        "ins": found.instrument,
        "version": found.version,
        "errors": kept.errors if kept else {},
        "values": {"reason": kept.values.get("reason")} if kept else {},
    }
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
    *,
    draft: FormDraft | None = None,
    gone: bool = False,
) -> Response:
    context = {
        "viewer": seen,
        "checked": checked,
        "confirm": preview is not None,
        "preview": preview,
        "forms": forms,
        "custodians": _custodians(site),
        "draft": draft,
        "gone": gone,
        "action": "/instruments/new",
    }
    return render(request, "issue.html", context)


def _custodians(site: Web) -> list[tuple[str, str]]:
    return forms.choices(_agencies(site), AgencyKind.CUSTODIAL)


def _escalate_page(
    request: Request,
    site: Web,
    seen: Viewer,
    parent: InstrumentView,
    rung: Rung,
    checked: forms.Checked,
    preview: InstrumentView | None = None,
    *,
    draft: FormDraft | None = None,
    gone: bool = False,
) -> Response:
    context = {
        "viewer": seen,
        "draft": draft,
        "gone": gone,
        "action": f"/instruments/{parent.instrument.id}/escalate",
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
    return render(request, "escalate.html", context)


def _zone_of(site: Web, parent: InstrumentView, rung: Rung) -> str:
    """The time zone a return date is kept in: the custodian's (the addressee of a court order
    and of a subpoena alike)."""
    addressee = forms.addressee_for(site.built.desk, parent.instrument, rung, "")
    if addressee is None or rung.target not in forms.DATED:
        return "the addressee's time zone"
    return DeadlinePolicy.from_json(addressee.deadline_policy).timezone

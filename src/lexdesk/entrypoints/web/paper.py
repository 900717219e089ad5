"""Paper intake in the web: a custodian records an instrument it was served on paper, with the
scan (``services.paper``); the issuer confirms the record from the case page. A refused form
comes back by GET with each error beside its field (``returned``); the scan is never kept in a
draft: it is chosen again."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from lexdesk.domain.agencies import Agency
from lexdesk.domain.attachments import SIZE_LIMIT
from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.service import ServiceMethod
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind
from lexdesk.entrypoints.web import forms, sessions
from lexdesk.entrypoints.web.cases import case_form, instrument_seen
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
    words,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import paper

router = APIRouter()
FORM = "paper"
KIND_CHOICES = [(k.value, words(k.value)) for k in paper.PAPER_KINDS]
METHOD_CHOICES = [(m.value, words(m.value)) for m in ServiceMethod]
#: The fields in the order their errors are listed.
FIELDS = (
    "general", "kind", "issuer", "produce_to", "person", "actions", "warrant", "issued_on",
    "received_on", "received_time", "method", "return_date", "reference", "reason", "scan",
)  # fmt: skip
#: Which field a refusal from the service belongs beside, by what it speaks of.
_FIELD_WORDS = (
    ("issued_on", ("paper's date", "year old")),
    ("received_on", ("served", "service", "received")),
    ("return_date", ("return date", "compliance date")),
    ("produce_to", ("records go to",)),
    ("issuer", ("this paper comes from", "issued the paper")),
    ("person", ("person",)),
    ("scan", ("pdf, png", "file", "mb")),
    ("kind", ("recorded from paper",)),
    ("actions", ("disclose", "action")),
)


@router.get("/instruments/paper")
def paper_form(
    request: Request, draft: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    _require_custodian(seen)
    kept = returned(site, seen, FORM, draft)
    values = _values(kept.values) if kept else {"warrant": "none", "method": "in_person"}
    return _page(request, site, seen, values, kept.errors if kept else {})


@router.post("/instruments/paper")
async def record(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """Check the form, then record it; the case it joined, or the form again saying why."""
    _require_custodian(seen)
    try:
        form = await request.form(max_files=1, max_fields=40)
    except Exception:
        raise PageRefused(400, "The form could not be read: fill it in again.") from None
    token = form.get("csrf")
    if not sessions.csrf_matches(seen.token, token if isinstance(token, str) else None):
        raise PageRefused(403, "The form expired: open the page again and send it again.")
    sent = Posted(seen, form)
    upload = form.get("scan")
    scan = await upload.read(SIZE_LIMIT + 1) if isinstance(upload, UploadFile) else b""
    name = upload.filename if isinstance(upload, UploadFile) and upload.filename else ""
    errors, command = _checked(sent, seen, scan, name)
    if command is None:
        return send_back(sent, site, FORM, "/instruments/paper", errors)
    try:
        made = paper.record_paper(site.built.desk, command)
    except LexdeskError as error:
        return send_back(
            sent, site, FORM, "/instruments/paper", {_field_of(error): sentence(error)}
        )
    return redirect(f"/cases/{made.case_id}#{made.id}", done="recorded")


@router.post("/instruments/{instrument_id}/confirm-record")
def confirm(
    instrument_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    """The issuer confirms the record its addressee made from paper."""
    seen = sent.viewer
    case_id = instrument_seen(site, seen, instrument_id).instrument.case_id
    try:
        paper.confirm_record(
            site.built.desk, paper.ConfirmRecord(seen.username, instrument_id, seen.source)
        )
    except NotFound:
        raise PageRefused(404, "There is no such page.") from None
    except LexdeskError as error:
        errors = {"general": sentence(error)}
        return send_back(sent, site, case_form(case_id), f"/cases/{case_id}", errors)
    return redirect(f"/cases/{case_id}#{instrument_id}", done="confirmed")


def _checked(
    sent: Posted, seen: Viewer, scan: bytes, name: str
) -> tuple[dict[str, str], paper.RecordPaper | None]:
    """Every field checked at once; the command when all pass."""
    v = _values(Fields(sent.fields()))
    errors = forms.too_long({k: v[k] for k in ("person", "reference", "reason")})
    for field, message in (
        ("kind", "Choose what the paper is."),
        ("issuer", "Choose the agency that issued it."),
        ("person", "Give the person as your records know them, e.g. nysid:12345678A."),
    ):
        if not v[field]:
            errors.setdefault(field, message)
    if not v["actions"]:
        errors["actions"] = "Tick what the paper demands."
    issued = _day(errors, "issued_on", v["issued_on"], "the paper's date")
    received = _moment(errors, "received_on", v["received_on"], v["received_time"] or "09:00", seen)
    dated = v["kind"] in (InstrumentKind.ADMINISTRATIVE_SUBPOENA, InstrumentKind.COURT_ORDER)
    due = None
    if dated:
        due = _moment(errors, "return_date", v["return_date"], "17:00", seen, "the return date")
    if v["kind"] == InstrumentKind.COURT_ORDER and not v["produce_to"]:
        errors["produce_to"] = "Choose the agency the order says the records go to."
    if not scan:
        errors["scan"] = "Choose the scan of the paper (PDF, PNG, JPEG or TIFF)."
    elif len(scan) > SIZE_LIMIT:
        errors["scan"] = f"The scan is larger than {SIZE_LIMIT // (1024 * 1024)} MB."
    if errors or issued is None or received is None:
        return errors, None
    return errors, paper.RecordPaper(
        seen.username, v["kind"], v["issuer"], v["person"], tuple(v["actions"]),
        datetime.combine(issued, time(9), seen.timezone), received, v["method"] or "in_person",
        name or "scan", scan, v["warrant"] or "none", due,
        v["produce_to"] if v["kind"] == InstrumentKind.COURT_ORDER else "",
        v["reference"], v["reason"], seen.source,
    )  # fmt: skip


def _values(kept: Fields) -> dict[str, Any]:
    names = ("kind", "issuer", "produce_to", "person", "warrant", "issued_on", "received_on",
             "received_time", "method", "return_date", "reference", "reason")  # fmt: skip
    return {n: kept.get(n) for n in names} | {"actions": kept.all("actions")}


def _day(errors: dict[str, str], field: str, text: str, what: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = f"Give {what} as YYYY-MM-DD, for example 2020-01-24."
        return None


def _moment(
    errors: dict[str, str], field: str, day: str, clock: str, seen: Viewer, what: str = "the day"
) -> datetime | None:
    found = _day(errors, field, day, what)
    try:
        at = time.fromisoformat(clock)
    except ValueError:
        errors["received_time"] = "Give the time as HH:MM, for example 14:30."
        return None
    return datetime.combine(found, at, seen.timezone) if found else None


def _field_of(error: LexdeskError) -> str:
    text = str(error).lower()
    for name, found in _FIELD_WORDS:
        if any(word in text for word in found):
            return name
    return "general"


def _page(
    request: Request, site: Web, seen: Viewer, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    with site.built.desk.uow() as uow:
        agencies: list[Agency] = list(uow.agencies.list())
    issuers = [
        (a.id, a.name) for a in agencies if a.kind in (AgencyKind.IMMIGRATION, AgencyKind.COURT)
    ]
    requesters = forms.choices(agencies, AgencyKind.IMMIGRATION)
    context = {
        "viewer": seen,
        "values": values,
        "errors": errors,
        "fields": FIELDS,
        "kinds": KIND_CHOICES,
        "issuers": issuers,
        "requesters": requesters,
        "methods": METHOD_CHOICES,
        "forms": forms,
        "limit_mb": SIZE_LIMIT // (1024 * 1024),
    }
    return render(request, "paper.html", context)


def _require_custodian(seen: Viewer) -> None:
    require(seen, Permission.PERSON_WRITE)
    if seen.agency.kind is not AgencyKind.CUSTODIAL:
        raise PageRefused(404, "Only a custodial agency records what it was served on paper.")

"""A custodial agency's people: who it holds or held, one person's stays, and the events of a
stay (a new expected release, a release, a transfer), each with its reason; booking someone in.
Reading a list of people or a person is on record like any other read of personal data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound
from lexdesk.domain.limits import REASON_MAX
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import Charge
from lexdesk.domain.vocabulary import AgencyKind
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
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.queries.persons import people_of
from lexdesk.services import audit, disclosures, persons

router = APIRouter()
NO_SUCH_PERSON = "There is no such person in your agency's records."


@router.get("/persons")
def people(request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)) -> Response:
    _require_custodian(seen, Permission.PERSON_READ)
    with site.built.engine.connect() as db:
        rows = people_of(db, site.built.sealer, seen.agency.id, limit=500)
    if rows:
        audit.record_read(
            site.built.desk, actor=seen.username, agency=seen.agency.id,
            object_type="person_list", object_id="persons", source=seen.source,
            detail={"count": len(rows)},
        )  # fmt: skip
    context = {"viewer": seen, "rows": rows, "may_write": seen.may(Permission.PERSON_WRITE)}
    return render(request, "persons.html", context)


@router.get("/persons/new")
def book_form(
    request: Request, draft: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    _require_custodian(seen, Permission.PERSON_WRITE)
    kept = returned(site, seen, BOOK_FORM, draft)
    if kept is None:
        return _book_page(request, seen, {}, {})
    values = {name: kept.values.get(name) for name in BOOK_FIELDS}
    return _book_page(request, seen, values, kept.errors)


@router.post("/persons/new")
def book(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    _require_custodian(seen, Permission.PERSON_WRITE)
    values = {name: sent.get(name) for name in BOOK_FIELDS}
    errors = _missing_for_booking(values)
    if not errors:
        try:
            booking = _booking(seen, values, site.built.desk.clock.now())
            person = persons.book_person(site.built.desk, booking)
            return redirect(f"/persons/{person.id}", done="booked")
        except LexdeskError as error:
            errors = {"general": str(error)}
    return send_back(sent, site, BOOK_FORM, "/persons/new", errors)


@router.get("/persons/{person_id}")
def person_page(
    request: Request,
    person_id: str,
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    """The person; after a refused stay event, with the form as it was typed and why."""
    kept = returned(site, seen, _person_form(person_id), draft)
    if kept is None:
        return _person_page(request, site, seen, person_id)
    event = kept.values.get("event")
    values = _event_values(event, kept.values) if event in _EVENTS else {}
    return _person_page(request, site, seen, person_id, kept.errors, values)


@router.post("/persons/{person_id}/{event}")
def custody_event(
    person_id: str,
    event: str,
    sent: Posted = Depends(posted),
    site: Web = Depends(web),
) -> Response:
    seen = sent.viewer
    _require_custodian(seen, Permission.PERSON_WRITE)
    act = _EVENTS.get(event)
    if act is None:
        raise PageRefused(404, "There is no such page.")
    errors = _event_errors(event, sent)
    if not errors:
        try:
            act(site, seen, person_id, sent)
            return redirect(f"/persons/{person_id}", done=_DONE[event])
        except LexdeskError as error:
            if isinstance(error, NotFound):
                raise PageRefused(404, NO_SUCH_PERSON) from None
            errors = {f"{event}-general": sentence(error)}
    form, url = _person_form(person_id), f"/persons/{person_id}"
    return send_back(sent, site, form, url, errors, also={"event": (event,)})


def _person_form(person_id: str) -> str:
    return f"person:{person_id}"


def _event_values(event: str, kept: Fields) -> dict[str, str]:
    """A stay event's form as typed, keyed as the person page names its fields."""
    values = {f"{event}-reason": kept.get("reason"), "day": kept.get("day"), "to": kept.get("to")}
    return values | {"time": kept.get("time")}


def _event_errors(event: str, sent: Posted) -> dict[str, str]:
    """Each field of a stay event checked, keyed by its element's id on the page."""
    errors = {}
    reason = sent.get("reason")
    if not reason:
        errors[f"{event}-reason"] = "Say why: the reason is kept with the event."
    elif len(reason) > REASON_MAX:
        errors[f"{event}-reason"] = (
            f"This is {len(reason)} characters long: shorten it to {REASON_MAX} or fewer."
        )
    if event == "release-date":
        try:
            date.fromisoformat(sent.get("day"))
        except ValueError:
            errors["release-date-day"] = "Give the day as YYYY-MM-DD, for example 2030-01-31."
    if event == "transfer" and not sent.get("to"):
        errors["transfer-to"] = "Choose where the person was transferred to."
    return errors


def _release(site: Web, seen: Viewer, person_id: str, sent: Posted) -> None:
    command = persons.ReleasePerson(seen.username, person_id, sent.get("reason"), None, seen.source)
    persons.release_person(site.built.desk, command)


def _transfer(site: Web, seen: Viewer, person_id: str, sent: Posted) -> None:
    command = persons.TransferPerson(
        seen.username, person_id, sent.get("to"), sent.get("reason"), None, seen.source
    )
    persons.transfer_person(site.built.desk, command)


def _release_date(site: Web, seen: Viewer, person_id: str, sent: Posted) -> None:
    when = _moment(sent.get("day"), sent.get("time") or "09:00", seen)
    command = persons.SetExpectedRelease(
        seen.username, person_id, when, sent.get("reason"), seen.source
    )
    persons.set_expected_release(site.built.desk, command)


_DONE = {"release": "released", "transfer": "transferred", "release-date": "release-date"}
_EVENTS: dict[str, Callable[[Web, Viewer, str, Posted], None]] = {
    "release": _release,
    "transfer": _transfer,
    "release-date": _release_date,
}
BOOK_FORM = "book"
BOOK_FIELDS = (
    "family_name", "given_name", "nysid", "booking_number", "arrested_on", "release_day",
    "release_time", "charge", "charge_class",
)  # fmt: skip


def _moment(day: str, clock: str, seen: Viewer) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), seen.timezone)
    except ValueError:
        raise InvalidInput("write the date as YYYY-MM-DD and the time as HH:MM") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _missing_for_booking(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    for name, text in (("family_name", "Give the family name."),
                       ("given_name", "Give the given name.")):  # fmt: skip
        if not values[name]:
            errors[name] = text
    if not values["nysid"] and not values["booking_number"]:
        errors["nysid"] = "Give at least one identifier: the NYSID or your booking number."
    return errors


def _booking(seen: Viewer, values: dict[str, str], now: datetime) -> persons.BookPerson:
    now = now.astimezone(seen.timezone)
    arrested = _day(values["arrested_on"]) if values["arrested_on"] else now.date()
    release = (
        _moment(values["release_day"], values["release_time"] or "09:00", seen)
        if values["release_day"]
        else None
    )
    identifiers = {
        scheme: values[scheme] for scheme in ("nysid", "booking_number") if values[scheme]
    }
    charges = (
        (Charge(values["charge"], values["charge_class"], arrested),) if values["charge"] else ()
    )
    return persons.BookPerson(
        actor=seen.username, family_name=values["family_name"], given_name=values["given_name"],
        arrested_on=arrested, booked_at=now, expected_release_at=release,
        identifiers=identifiers, charges=charges, source=seen.source,
    )  # fmt: skip


def _person_page(
    request: Request,
    site: Web,
    seen: Viewer,
    person_id: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    _require_custodian(seen, Permission.PERSON_READ)
    try:
        person = disclosures.own_person(site.built.desk, seen.principal, person_id, seen.source)
    except NotFound:
        raise PageRefused(404, NO_SUCH_PERSON) from None
    context = {
        "viewer": seen,
        "person": person,
        "stay": person.current_custody(),
        "errors": errors or {},
        "values": values or {},
        "destinations": _destinations(site, seen),
        "may_write": seen.may(Permission.PERSON_WRITE),
    }
    return render(request, "person.html", context)


def _destinations(site: Web, seen: Viewer) -> list[tuple[str, str]]:
    with site.built.desk.uow() as uow:
        found = uow.agencies.list()
    kinds = (AgencyKind.CUSTODIAL, AgencyKind.IMMIGRATION)
    return [(a.id, a.name) for a in found if a.kind in kinds and a.id != seen.agency.id]


def _book_page(
    request: Request,
    seen: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    context = {"viewer": seen, "values": values, "errors": errors}
    return render(request, "person_new.html", context)


def _require_custodian(seen: Viewer, permission: Permission) -> None:
    require(seen, permission)
    if seen.agency.kind is not AgencyKind.CUSTODIAL:
        raise PageRefused(404, "Only a custodial agency holds people.")

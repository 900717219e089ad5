"""``GET /calendar/{token}.ics``: a user's calendar feed (RFC 5545, built with ``icalendar``).

No sign-in: the token is the credential (a calendar application cannot sign in), revocable on
the preferences page; an unknown or revoked token, or a user who may not read instruments,
gets 404. One event per open instrument the user's agency must answer or waits for, at the due
time that agency may see (``queries.notifications.due_for``: as the issuer, the disclosure
policy's read model, never the addressee's own due time). A summary names the kind, the
reference and the other agency; never a person."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from icalendar import Calendar, Event

from lexdesk.domain.permissions import Permission, granted
from lexdesk.entrypoints.web.pages import HEADERS, Web, client_address, web
from lexdesk.queries import notifications as reads
from lexdesk.services import audit
from lexdesk.services import notifications as notes
from lexdesk.services.notices import kind_phrase

router = APIRouter()
PRODID = "-//lexdesk//due times//EN"
NOT_FOUND = "There is no such calendar feed, or it was revoked.\n"


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str, site: Web = Depends(web)) -> Response:
    desk = site.built.desk
    user = notes.feed_user(desk, token) if 20 <= len(token) <= 100 else None
    if user is None or not granted(user.roles, Permission.INSTRUMENT_READ):
        return Response(NOT_FOUND, 404, headers=HEADERS, media_type="text/plain")
    with site.built.engine.connect() as db:
        entries = reads.due_for(db, user.agency_id)
        names = reads.agency_names(db)
    audit.record_read(
        desk,
        actor=user.username,
        agency=user.agency_id,
        object_type="calendar_feed",
        object_id=user.id,
        source=client_address(request),
        detail={"instruments": [e.instrument_id for e in entries][:200]},
    )
    document = feed(
        entries, names, desk.clock.now(), site.built.settings.base_url, names.get(user.agency_id)
    )
    headers = {**HEADERS, "Content-Disposition": 'inline; filename="lexdesk.ics"'}
    return Response(document, 200, headers=headers, media_type="text/calendar; charset=utf-8")


def feed(
    entries: list[reads.DueEntry],
    names: dict[str, str],
    now: datetime,
    base_url: str,
    agency_name: str | None,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"lexdesk: {agency_name or 'due times'}")
    base = base_url.rstrip("/")
    for entry in entries:
        what = f"{kind_phrase(entry.kind)} {entry.reference}".strip()
        if entry.side == "act":
            other = names.get(entry.issuer_agency_id, entry.issuer_agency_id)
            summary = f"Due: {what} from {other}"
        else:
            other = names.get(entry.addressee_agency_id, entry.addressee_agency_id)
            summary = f"Answer due: {what} to {other}"
        event = Event()
        event.add("uid", f"{entry.instrument_id}@lexdesk")
        event.add("dtstamp", now)
        event.add("dtstart", entry.due_at)
        event.add("dtend", entry.due_at)
        event.add("sequence", entry.version)
        event.add("summary", summary)
        event.add("url", f"{base}/instruments/{entry.instrument_id}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data

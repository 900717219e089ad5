"""One's own notifications: the list (newest first, unread marked in words), marking them read,
the link from a notification to its instrument; one's preferences (which topics, on which
channel) and e-mail address; one's calendar feed (made with its address shown once, revoked)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.bootstrap import App
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound
from lexdesk.domain.notifications import USER_CHANNELS, Channel, Topic
from lexdesk.domain.permissions import Permission
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
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.queries import notifications as reads
from lexdesk.services import disclosures
from lexdesk.services import notifications as notes

PREFERENCES = "preferences"
router = APIRouter()

#: The topics and channels as a person reads them.
TOPIC_LABELS = {
    Topic.RECEIVED: "Something new arrives for my agency",
    Topic.ANSWERED: "A request my agency sent is answered",
    Topic.CHANGED: "Anything else changes on my agency's matters",
    Topic.REMINDER: "Reminders: a due time or a release is near",
}
CHANNEL_LABELS = {Channel.IN_APP: "In the desk", Channel.EMAIL: "By e-mail"}
PAGE = 50


def unread_counter(built: App) -> Callable[[Viewer], int]:
    """The header's count: one indexed count of the viewer's unread notifications."""

    def unread(seen: Viewer) -> int:
        with built.engine.connect() as db:
            return reads.unread_count(db, seen.principal.user_id)

    return unread


@router.get("/notifications")
def notifications_page(
    request: Request,
    unread: str = "",
    after: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    only_unread = unread == "1"
    try:
        with site.built.engine.connect() as db:
            page = reads.notifications(
                db, seen.principal.user_id, unread=only_unread, limit=PAGE, cursor=after or None
            )
    except InvalidInput:
        raise PageRefused(404, "There is no such page of notifications.") from None
    context = {
        "viewer": seen,
        "page": page,
        "only_unread": only_unread,
        "labels": TOPIC_LABELS,
        "topics": {t.value: t for t in Topic},
    }
    return render(request, "notifications.html", context)


@router.post("/notifications/read")
def mark_read(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    """Mark one notification read (``id``), or all (``all``)."""
    seen = sent.viewer
    back = "/notifications?unread=1" if sent.get("unread") == "1" else "/notifications"
    if sent.get("all") == "1":
        notes.mark_read(site.built.desk, seen.username)
        return redirect(back)
    ids = [int(i) for i in sent.all("id") if i.isdigit() and len(i) < 19]
    if ids:
        notes.mark_read(site.built.desk, seen.username, ids)
    return redirect(back)


@router.get("/instruments/{instrument_id}")
def instrument_page(
    instrument_id: str, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    """Where a notification's link leads: the instrument on its case page, if the viewer's
    agency may see it."""
    require(seen, Permission.INSTRUMENT_READ)
    try:
        view = disclosures.visible_instrument(
            site.built.desk, seen.principal, instrument_id, seen.source
        )
    except NotFound:
        raise PageRefused(404, "There is no such instrument, or it is not your agency's.") from None
    return redirect(f"/cases/{view.instrument.case_id}#{view.instrument.id}")


# -- preferences, e-mail, calendar feed ------------------------------------------------------


@router.get("/notifications/preferences")
def preferences_page(
    request: Request, draft: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    kept = returned(site, seen, PREFERENCES, draft)
    if kept is None:
        return _preferences(request, site, seen, {})
    table = _table(set(kept.values.all("pref")))
    return _preferences(request, site, seen, kept.errors, table, kept.values.get("email"))


@router.post("/notifications/preferences")
def save_preferences(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    table = _table(set(sent.all("pref")))
    address = sent.get("email")
    try:
        notes.check_email(address)
    except InvalidInput as error:
        url = "/notifications/preferences"
        return send_back(sent, site, PREFERENCES, url, {"email": str(error)})
    desk = site.built.desk
    notes.set_preferences(desk, seen.username, table)
    with site.built.engine.connect() as db:
        before = reads.email(db, seen.principal.user_id)
    if (before or "") != address:
        notes.set_email(desk, seen.username, seen.username, address)
    return redirect("/notifications/preferences?saved=1")


@router.post("/notifications/calendar")
def create_feed(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.INSTRUMENT_READ)
    try:
        token = notes.create_feed(site.built.desk, seen.username)
    except LexdeskError as error:
        raise PageRefused(403, str(error)) from None
    base = site.built.settings.base_url.rstrip("/")
    return _preferences(request, site, seen, {}, feed_url=f"{base}/calendar/{token}.ics")


@router.post("/notifications/calendar/revoke")
def revoke_feeds(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    notes.revoke_feeds(site.built.desk, sent.viewer.username)
    return redirect("/notifications/preferences?revoked=1")


def _table(chosen: set[str]) -> dict[tuple[str, str], bool]:
    """Each topic and channel, on where the form ticked it."""
    return {
        (topic.value, channel.value): f"{topic.value}/{channel.value}" in chosen
        for topic in Topic
        for channel in USER_CHANNELS
    }


def _preferences(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    table: dict[tuple[str, str], bool] | None = None,
    address: str | None = None,
    feed_url: str = "",
) -> Response:
    with site.built.engine.connect() as db:
        stored = reads.preferences(db, seen.principal.user_id)
        email = reads.email(db, seen.principal.user_id)
        feeds = reads.live_feeds(db, seen.principal.user_id)
    shown = table or {(t.value, c.value): on for (t, c), on in stored.items()}
    rows = [
        (
            topic.value,
            TOPIC_LABELS[topic],
            [
                (channel.value, CHANNEL_LABELS[channel], shown[(topic.value, channel.value)])
                for channel in USER_CHANNELS
            ],
        )
        for topic in Topic
    ]
    saved = request.query_params.get("saved") == "1" and not errors
    revoked = request.query_params.get("revoked") == "1"
    context = {
        "viewer": seen,
        "rows": rows,
        "channels": [CHANNEL_LABELS[c] for c in USER_CHANNELS],
        "errors": errors,
        "email": (email or "") if address is None else address,
        "feeds": feeds,
        "feed_url": feed_url,
        "saved": saved,
        "revoked": revoked,
        "may_feed": seen.may(Permission.INSTRUMENT_READ),
    }
    return render(request, "notification_preferences.html", context)

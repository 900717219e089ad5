"""An agency's webhook subscriptions and dead letters, for its administrators: the list with the
last deliveries, adding one (its secret shown once, with how to verify a delivery), rotating
the secret (the old one keeps signing for 24 hours), disabling and enabling; the agency's dead
letters, tried again on request (audited). Another agency's subscriptions and messages do not
exist here."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import LexdeskError, NotFound
from lexdesk.domain.notifications import Topic
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web.notifications import TOPIC_LABELS
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
from lexdesk.services import notifications as notes

router = APIRouter(prefix="/admin")
WEBHOOKS_FORM = "admin-webhooks"
NO_SUCH = "There is no such webhook subscription in your agency."


@router.get("/webhooks")
def webhooks_page(
    request: Request, draft: str = "", seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    kept = returned(site, seen, WEBHOOKS_FORM, draft)
    if kept is None:
        return _webhooks(request, site, seen, {})
    values: dict[str, object] = {"url": kept.values.get("url"), "topics": kept.values.all("topics")}
    return _webhooks(request, site, seen, kept.errors, values=values)


@router.post("/webhooks")
def add_webhook(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    try:
        subscription_id, secret = notes.add_subscription(
            site.built.desk, seen.username, sent.get("url"), sent.all("topics")
        )
    except LexdeskError as error:
        return send_back(sent, site, WEBHOOKS_FORM, "/admin/webhooks", {"url": str(error)})
    # The secret is shown this once, as the answer to this POST: it is never stored in the
    # clear, not even for a redirect.
    shown = {"id": subscription_id, "secret": secret, "what": "created"}
    return _webhooks(request, site, seen, {}, shown=shown)


@router.post("/webhooks/{subscription_id}/rotate")
def rotate(
    request: Request, subscription_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    try:
        secret = notes.rotate_secret(site.built.desk, seen.username, subscription_id)
    except NotFound:
        raise PageRefused(404, NO_SUCH) from None
    shown = {"id": subscription_id, "secret": secret, "what": "rotated"}
    return _webhooks(request, site, seen, {}, shown=shown)


@router.post("/webhooks/{subscription_id}/{verb}")
def switch(
    subscription_id: str, verb: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    require(sent.viewer, Permission.USER_ADMIN)
    if verb not in ("enable", "disable"):
        raise PageRefused(404, "There is no such page.")
    try:
        notes.set_subscription_active(
            site.built.desk, sent.viewer.username, subscription_id, verb == "enable"
        )
    except NotFound:
        raise PageRefused(404, NO_SUCH) from None
    return redirect("/admin/webhooks", done=f"webhook-{verb}d")


@router.get("/outbox")
def outbox_page(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    return _outbox(request, site, seen)


@router.post("/outbox/retry")
def retry(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    ids = [int(i) for i in sent.all("id") if i.isdigit() and len(i) < 19]
    try:
        count = notes.redrive(site.built.desk, seen.username, ids or None)
    except NotFound:
        raise PageRefused(404, "There is no such dead letter in your agency.") from None
    return redirect(f"/admin/outbox?retried={count}")


def _webhooks(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    *,
    values: dict[str, object] | None = None,
    shown: dict[str, str] | None = None,
) -> Response:
    with site.built.engine.connect() as db:
        rows = reads.subscriptions(db, seen.agency.id, site.built.desk.clock.now())
    context = {
        "viewer": seen,
        "rows": rows,
        "errors": errors,
        "values": values or {"url": "", "topics": ()},
        "shown": shown,
        "topics": [(t.value, TOPIC_LABELS[t]) for t in Topic],
    }
    return render(request, "admin_webhooks.html", context)


def _outbox(request: Request, site: Web, seen: Viewer) -> Response:
    with site.built.engine.connect() as db:
        rows = reads.dead_letters(db, seen.agency.id)
    retried = request.query_params.get("retried", "")
    context = {"viewer": seen, "rows": rows, "retried": retried if retried.isdigit() else ""}
    return render(request, "admin_outbox.html", context)

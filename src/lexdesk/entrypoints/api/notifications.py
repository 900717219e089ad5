"""``/api/v1/notifications``: one's own in-desk notifications (a page at a time, unread only on
request), marking them read, one's preferences and e-mail address; ``/api/v1/webhooks``: an
agency's webhook subscriptions (a secret is answered once, at creation or rotation) and its
dead letters, for its administrators.

Notifications belong to a person: an API token (a system) has none and is refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StringConstraints

from lexdesk.domain.errors import InvalidInput, NotPermitted
from lexdesk.domain.notifications import USER_CHANNELS, Channel, Topic
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.idempotency import ShownOnce
from lexdesk.entrypoints.api.schemas import ONE_LINE, Answer, Limit, StrictBody, _unicode, one_line
from lexdesk.entrypoints.api.security import requires
from lexdesk.queries import notifications as reads
from lexdesk.services import audit
from lexdesk.services import notifications as notes
from lexdesk.services.accounts import Principal

router = APIRouter(tags=["notifications"], route_class=ApiRoute, responses=COMMON_ERRORS)
Person = Annotated[Principal, Depends(requires(Permission.AGENCY_READ))]
Admin = Annotated[Principal, Depends(requires(Permission.USER_ADMIN))]
#: At most 2**53 - 1: beyond it a JSON number is not an exact integer for every client.
NotificationId = Annotated[int, Field(ge=1, le=2**53 - 1)]
SubscriptionId = Annotated[
    str, Path(pattern=r"^whk-[0-9a-f]{16}$", description="A webhook subscription id.")
]
#: The last id of a page, as the page gave it: 16 digits hold every NotificationId and stay
#: below the databases' 64-bit integers (19 digits did not: a 500 the fuzzing found).
PageCursor = Annotated[
    str | None,
    Query(max_length=16, pattern=r"^[0-9]+$", description="From the last page."),
]
NOT_A_PERSON = "notifications belong to a person: sign in as one (an API token has none)"


def _person(principal: Principal) -> Principal:
    if principal.via == "token":
        raise NotPermitted(NOT_A_PERSON)
    return principal


class NotificationOut(Answer):
    id: int
    topic: Topic
    subject: str
    link: str = Field(description="The desk's page for it, relative to the desk's address.")
    instrument_id: str
    at: datetime
    read: bool


class NotificationPage(Answer):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(description="How many of one's notifications are unread, in all.")


class MarkRead(StrictBody):
    """The notifications to mark read: ``ids``, or ``all``."""

    ids: list[NotificationId] = Field(default_factory=list, max_length=200)
    all: StrictBool = False


class Marked(Answer):
    marked: int


@router.get("/notifications", name="list_notifications")
def list_notifications(
    request: Request,
    principal: Person,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Limit = 50,
    cursor: PageCursor = None,
) -> NotificationPage:
    """One's own notifications, newest first."""
    person = _person(principal)
    with built(request).engine.connect() as db:
        page = reads.notifications(db, person.user_id, unread=unread, limit=limit, cursor=cursor)
        count = reads.unread_count(db, person.user_id)
    items = [
        NotificationOut(
            id=row.id,
            topic=Topic(row.topic),
            subject=row.subject,
            link=row.link,
            instrument_id=row.instrument_id,
            at=row.at,
            read=not row.unread,
        )
        for row in page.rows
    ]
    return NotificationPage(items=items, next_cursor=page.next_cursor, unread=count)


@router.post("/notifications/read", name="mark_notifications_read")
def mark_notifications_read(request: Request, body: MarkRead, principal: Person) -> Marked:
    """Mark one's own notifications read: those named in ``ids``, or ``all``."""
    person = _person(principal)
    if body.all == bool(body.ids):
        raise InvalidInput("name the notifications to mark read in ids, or send all: true")
    ids = None if body.all else body.ids
    return Marked(marked=notes.mark_read(built(request).desk, person.username, ids))


class Preference(Answer):
    topic: Topic
    channel: Channel = Field(description="in_app or email")
    on: bool


class Preferences(Answer):
    email: str | None
    preferences: list[Preference]


class PreferenceIn(StrictBody):
    topic: Topic
    channel: Channel = Field(description="in_app or email")
    on: StrictBool


class PreferencesIn(StrictBody):
    """What to change: the e-mail address (empty or null: none) if given, and the preferences
    listed (the others stay as they are)."""

    email: (
        Annotated[
            str,
            StringConstraints(max_length=254, pattern=ONE_LINE),
            BeforeValidator(one_line),
            AfterValidator(_unicode),
        ]
        | None
    ) = Field(default=None, description="Absent: unchanged; empty: no e-mail.")
    preferences: list[PreferenceIn] = Field(default_factory=list, max_length=20)


@router.get("/notifications/preferences", name="get_notification_preferences")
def get_preferences(request: Request, principal: Person) -> Preferences:
    """What one is told, on which channel, and one's e-mail address."""
    return _preferences(request, _person(principal))


@router.put("/notifications/preferences", name="put_notification_preferences")
def put_preferences(request: Request, body: PreferencesIn, principal: Person) -> Preferences:
    person = _person(principal)
    desk = built(request).desk
    for each in body.preferences:
        if each.channel not in USER_CHANNELS:
            raise InvalidInput(f"channel {each.channel.value!r}: choose in_app or email")
    if "email" in body.model_fields_set:
        notes.check_email(body.email or "")
    if body.preferences:
        chosen = {(p.topic.value, p.channel.value): p.on for p in body.preferences}
        notes.set_preferences(desk, person.username, chosen)
    if "email" in body.model_fields_set:
        notes.set_email(desk, person.username, person.username, body.email or "")
    return _preferences(request, person)


def _preferences(request: Request, person: Principal) -> Preferences:
    with built(request).engine.connect() as db:
        table = reads.preferences(db, person.user_id)
        email = reads.email(db, person.user_id)
    rows = [Preference(topic=t, channel=c, on=on) for (t, c), on in table.items()]
    return Preferences(email=email, preferences=rows)


# -- webhooks ---------------------------------------------------------------------------------


class AttemptOut(Answer):
    at: datetime
    ok: bool
    detail: str


class WebhookOut(Answer):
    id: str
    url: str
    topics: list[Topic]
    active: bool
    created_at: datetime
    previous_secret_until: datetime | None = Field(
        description="After a rotation: until when the previous secret signs too."
    )
    last_attempts: list[AttemptOut]


class NewWebhook(StrictBody):
    url: Annotated[
        str,
        StringConstraints(min_length=1, max_length=500, pattern=ONE_LINE),
        BeforeValidator(one_line),
        AfterValidator(_unicode),
    ]
    topics: list[Topic] = Field(
        default_factory=list, max_length=4, description="None: every topic."
    )


class WebhookSecret(Answer):
    id: str
    secret: str = Field(description="Shown once: the Standard Webhooks signing secret.")


class DeadLetterOut(Answer):
    id: int
    channel: str
    address: str
    attempts: int
    last_error: str
    subject: str
    created_at: datetime


class Retry(StrictBody):
    """The dead letters to try again: ``ids``, or every one of the agency's (``all``)."""

    ids: list[NotificationId] = Field(default_factory=list, max_length=200)
    all: StrictBool = False


class Retried(Answer):
    retried: int


@router.get("/webhooks", name="list_webhooks")
def list_webhooks(request: Request, admin: Admin) -> list[WebhookOut]:
    """The agency's subscriptions (never their secrets), each with its last deliveries."""
    app = built(request)
    with app.engine.connect() as db:
        rows = reads.subscriptions(db, admin.agency_id, app.desk.clock.now())
    audit.record_read(  # a privileged read (CJIS AC-6(9)), as the accounts' list
        app.desk,
        actor=admin.username,
        agency=admin.agency_id,
        object_type="webhook_list",
        object_id=admin.agency_id,
        source=source_of(request),
        detail={"webhooks": [row.id for row in rows]},
    )
    return [
        WebhookOut(
            id=row.id,
            url=row.url,
            topics=[Topic(t) for t in row.topics],
            active=row.active,
            created_at=row.created_at,
            previous_secret_until=row.rotating_until,
            last_attempts=[AttemptOut(at=a.at, ok=a.ok, detail=a.detail) for a in row.attempts],
        )
        for row in rows
    ]


@router.post("/webhooks", name="add_webhook", status_code=201)
def add_webhook(request: Request, body: NewWebhook, admin: Admin, once: ShownOnce) -> WebhookSecret:
    """A subscription for the agency; its secret is in this answer and never again."""
    subscription_id, secret = notes.add_subscription(
        built(request).desk, admin.username, body.url, [t.value for t in body.topics]
    )
    return WebhookSecret(id=subscription_id, secret=secret)


@router.post("/webhooks/{subscription_id}/rotate", name="rotate_webhook_secret")
def rotate_webhook_secret(
    request: Request, subscription_id: SubscriptionId, admin: Admin
) -> WebhookSecret:
    """A new secret, answered once; the previous one keeps signing beside it for 24 hours."""
    secret = notes.rotate_secret(built(request).desk, admin.username, subscription_id)
    return WebhookSecret(id=subscription_id, secret=secret)


@router.post("/webhooks/{subscription_id}/disable", name="disable_webhook", status_code=204)
def disable_webhook(request: Request, subscription_id: SubscriptionId, admin: Admin) -> None:
    notes.set_subscription_active(built(request).desk, admin.username, subscription_id, False)


@router.post("/webhooks/{subscription_id}/enable", name="enable_webhook", status_code=204)
def enable_webhook(request: Request, subscription_id: SubscriptionId, admin: Admin) -> None:
    notes.set_subscription_active(built(request).desk, admin.username, subscription_id, True)


@router.get("/webhooks/dead-letters", name="list_dead_letters")
def list_dead_letters(request: Request, admin: Admin) -> list[DeadLetterOut]:
    """The agency's messages that failed every attempt, newest first."""
    app = built(request)
    with app.engine.connect() as db:
        rows = reads.dead_letters(db, admin.agency_id)
    audit.record_read(
        app.desk,
        actor=admin.username,
        agency=admin.agency_id,
        object_type="dead_letters",
        object_id=admin.agency_id,
        source=source_of(request),
        detail={"messages": [row.id for row in rows][:200]},
    )
    return [
        DeadLetterOut(
            id=r.id,
            channel=r.channel,
            address=r.address,
            attempts=r.attempts,
            last_error=r.last_error,
            subject=r.subject,
            created_at=r.created_at,
        )
        for r in rows
    ]


@router.post("/webhooks/dead-letters/retry", name="retry_dead_letters")
def retry_dead_letters(request: Request, body: Retry, admin: Admin) -> Retried:
    """Put dead letters back in the queue, due now, under the same idempotency keys."""
    if body.all == bool(body.ids):
        raise InvalidInput("name the dead letters in ids, or send all: true")
    ids = None if body.all else body.ids
    return Retried(retried=notes.redrive(built(request).desk, admin.username, ids))

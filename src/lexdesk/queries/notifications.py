"""What people read of their notifications: the unread count in the header (one indexed count),
their notifications a page at a time, their preferences and calendar feeds; an agency's webhook
subscriptions with their last deliveries and its dead letters; and the due times of a calendar
feed, as the disclosure policy's read model lets the agency see them.

Subjects and links were written through the disclosure policy when the event was made
(``services.notices``); nothing here reads a person's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.notifications import (
    DEFAULT_PREFERENCES,
    USER_CHANNELS,
    Channel,
    MessageStatus,
    Topic,
)
from lexdesk.domain.vocabulary import OPEN_STATUSES

MAX_LIMIT = 200
BAD_CURSOR = "the cursor is not one this list gave out: start again without a cursor"


def unread_count(db: Connection, user_id: str) -> int:
    """The user's unread notifications: one count on ``ix_notifications_user_unread``."""
    n = orm.notifications
    query = select(func.count()).select_from(n).where(n.c.user_id == user_id, n.c.read_at.is_(None))
    return int(db.execute(query).scalar_one())


@dataclass(frozen=True)
class NotificationRow:
    id: int
    topic: str
    subject: str
    link: str
    at: datetime
    read_at: datetime | None
    instrument_id: str

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True)
class NotificationPage:
    rows: list[NotificationRow]
    next_cursor: str | None


def notifications(
    db: Connection,
    user_id: str,
    *,
    unread: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> NotificationPage:
    """The user's own notifications, newest first, a keyset page at a time (the cursor is the
    last row's id)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit {limit} is out of range: ask for 1 to {MAX_LIMIT} rows")
    n, e = orm.notifications, orm.outbox_events
    query = (
        select(n.c.id, n.c.topic, n.c.subject, n.c.link, n.c.at, n.c.read_at, e.c.instrument_id)
        .join(e, e.c.id == n.c.event_id)
        .where(n.c.user_id == user_id)
    )
    if unread:
        query = query.where(n.c.read_at.is_(None))
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 19:
            raise InvalidInput(BAD_CURSOR)
        query = query.where(n.c.id < int(cursor))
    ordered = query.order_by(n.c.id.desc()).limit(limit + 1)
    rows = [NotificationRow(*row) for row in db.execute(ordered)]
    if len(rows) > limit:
        return NotificationPage(rows[:limit], str(rows[limit - 1].id))
    return NotificationPage(rows, None)


def preferences(db: Connection, user_id: str) -> dict[tuple[Topic, Channel], bool]:
    """Every topic on every channel a user chooses among: what they said, else the default."""
    p = orm.notification_preferences
    said = {
        (row.topic, row.channel): bool(row.enabled)
        for row in db.execute(select(p).where(p.c.user_id == user_id))
    }
    return {
        (topic, channel): said.get(
            (topic.value, channel.value), DEFAULT_PREFERENCES.get((topic, channel), False)
        )
        for topic in Topic
        for channel in USER_CHANNELS
    }


def email(db: Connection, user_id: str) -> str | None:
    u = orm.users
    found: str | None = db.execute(select(u.c.email).where(u.c.id == user_id)).scalar_one_or_none()
    return found


@dataclass(frozen=True)
class FeedRow:
    id: str
    created_at: datetime


def live_feeds(db: Connection, user_id: str) -> list[FeedRow]:
    c = orm.calendar_feeds
    query = (
        select(c.c.id, c.c.created_at)
        .where(c.c.user_id == user_id, c.c.revoked_at.is_(None))
        .order_by(c.c.created_at, c.c.id)
    )
    return [FeedRow(*row) for row in db.execute(query)]


# -- an agency's webhooks and dead letters ---------------------------------------------------


@dataclass(frozen=True)
class AttemptRow:
    at: datetime
    ok: bool
    detail: str


@dataclass(frozen=True)
class SubscriptionRow:
    id: str
    url: str
    topics: list[str]
    active: bool
    created_at: datetime
    rotating_until: datetime | None
    attempts: list[AttemptRow]


def subscriptions(
    db: Connection, agency_id: str, now: datetime, last: int = 5
) -> list[SubscriptionRow]:
    """The agency's webhook subscriptions (never their secrets), each with its last
    ``last`` delivery attempts."""
    w = orm.webhook_subscriptions
    query = (
        select(w.c.id, w.c.url, w.c.topics, w.c.active, w.c.created_at, w.c.previous_until)
        .where(w.c.agency_id == agency_id)
        .order_by(w.c.created_at, w.c.id)
    )
    found = []
    for row in db.execute(query):
        rotating = row.previous_until if row.previous_until and row.previous_until > now else None
        found.append(
            SubscriptionRow(
                row.id,
                row.url,
                list(row.topics),
                bool(row.active),
                row.created_at,
                rotating,
                _attempts(db, row.id, last),
            )
        )
    return found


def subscription_ids(db: Connection, agency_id: str) -> set[str]:
    w = orm.webhook_subscriptions
    return set(db.scalars(select(w.c.id).where(w.c.agency_id == agency_id)))


def _attempts(db: Connection, subscription_id: str, last: int) -> list[AttemptRow]:
    a, m = orm.delivery_attempts, orm.outbox_messages
    query = (
        select(a.c.at, a.c.ok, a.c.detail)
        .join(m, m.c.id == a.c.message_id)
        .where(m.c.channel == Channel.WEBHOOK.value, m.c.target == subscription_id)
        .order_by(a.c.id.desc())
        .limit(last)
    )
    return [AttemptRow(row.at, bool(row.ok), row.detail) for row in db.execute(query)]


@dataclass(frozen=True)
class DeadLetter:
    id: int
    channel: str
    address: str
    attempts: int
    last_error: str
    subject: str
    created_at: datetime


def dead_letters(db: Connection, agency_id: str, limit: int = 200) -> list[DeadLetter]:
    """Messages given up on whose event was written for this agency, newest first."""
    m, e = orm.outbox_messages, orm.outbox_events
    query = (
        select(
            m.c.id,
            m.c.channel,
            m.c.address,
            m.c.attempts,
            m.c.last_error,
            e.c.subject,
            m.c.created_at,
        )
        .join(e, e.c.id == m.c.event_id)
        .where(e.c.agency_id == agency_id, m.c.status == MessageStatus.DEAD.value)
        .order_by(m.c.id.desc())
        .limit(limit)
    )
    return [DeadLetter(*row) for row in db.execute(query)]


# -- the calendar feed -----------------------------------------------------------------------


@dataclass(frozen=True)
class DueEntry:
    instrument_id: str
    case_id: str
    kind: str
    reference: str
    issuer_agency_id: str
    addressee_agency_id: str
    #: The due time this agency may see: its own (``due_at``) as the addressee, the policy's
    #: read model (``issuer_due_at``) as the issuer.
    due_at: datetime
    side: str  # "act" (the agency must answer) or "wait" (the agency waits for an answer)
    version: int


def due_for(db: Connection, agency_id: str, limit: int = 1000) -> list[DueEntry]:
    """The open instruments the agency must act on or waits for, each with the due time the
    agency may see, soonest first; an instrument whose due time the agency may not see is not
    here at all. The issuer's side reads only the policy's read model (``issuer_status``,
    ``issuer_due_at``), never the addressee's ``due_at``."""
    t = orm.instruments
    open_statuses = sorted(s.value for s in OPEN_STATUSES)
    columns: tuple[Any, ...] = (
        t.c.id,
        t.c.case_id,
        t.c.kind,
        t.c.reference,
        t.c.issuer_agency_id,
        t.c.addressee_agency_id,
    )
    act = select(*columns, t.c.due_at.label("due"), t.c.version).where(
        t.c.addressee_agency_id == agency_id,
        t.c.status.in_(open_statuses),
        t.c.due_at.is_not(None),
    )
    wait = select(*columns, t.c.issuer_due_at.label("due"), t.c.version).where(
        t.c.issuer_agency_id == agency_id,
        t.c.issuer_status.in_(open_statuses),
        t.c.issuer_due_at.is_not(None),
        t.c.addressee_agency_id != agency_id,  # one that addresses itself acts, listed once
    )
    found = [
        DueEntry(r.id, r.case_id, r.kind, r.reference, r.issuer_agency_id,
                 r.addressee_agency_id, r.due, "act", r.version)
        for r in db.execute(act.order_by(t.c.due_at, t.c.id).limit(limit))
    ] + [
        DueEntry(r.id, r.case_id, r.kind, r.reference, r.issuer_agency_id,
                 r.addressee_agency_id, r.due, "wait", r.version)
        for r in db.execute(wait.order_by(t.c.issuer_due_at, t.c.id).limit(limit))
    ]  # fmt: skip
    return sorted(found, key=lambda entry: (entry.due_at, entry.instrument_id))[:limit]


def agency_names(db: Connection) -> dict[str, str]:
    a = orm.agencies
    return {row.id: row.name for row in db.execute(select(a.c.id, a.c.name))}

"""The outbox's rows: events, the messages made of them, in-desk notifications, preferences,
webhook subscriptions and the workers' heartbeats.

Workers claim with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL: a row one worker holds
is invisible to the others until that worker's transaction ends, and a worker that dies ends
it (its connection closes), so nothing is processed by two at once and nothing stays claimed.
SQLite has no row locks; there a single worker runs (``adapters.worker_lock``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lexdesk.adapters import orm
from lexdesk.domain.notifications import (
    Channel,
    Event,
    Message,
    MessageStatus,
    Outcome,
    Topic,
)

Preferences = dict[tuple[Topic, Channel], bool]
_ADD_EVENT: dict[str, Insert] = {}


def insert_ignoring_duplicates(db: Connection, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING``: a key seen before is a row already made."""
    if db.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


class SqlOutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    # -- written with the change -------------------------------------------------------------

    def add_event(self, event: Event) -> bool:
        """Whether the event is new (a reminder keyed as before is not written twice)."""
        statement = _ADD_EVENT.get(self._db.dialect.name)
        if statement is None:
            # Built once per dialect and executed with parameters: the statement is then
            # compiled once, not for every event of every change.
            table = orm.outbox_events
            statement = insert_ignoring_duplicates(self._db, table).returning(table.c.id)
            _ADD_EVENT[self._db.dialect.name] = statement
        row = {
            "key": event.key,
            "agency_id": event.agency_id,
            "topic": event.topic.value,
            "subject": event.subject,
            "link": event.link,
            "instrument_id": event.instrument_id,
            "data": event.data,
            "at": event.at,
            "expanded_at": None,
        }
        return self._db.execute(statement, row).first() is not None

    # -- the worker ---------------------------------------------------------------------------

    def claim_unexpanded(self, limit: int) -> list[tuple[int, Event]]:
        """Events not yet made into messages, locked for this transaction."""
        e = orm.outbox_events
        query = (
            select(e)
            .where(e.c.expanded_at.is_(None))
            .order_by(e.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(row.id, _event(row)) for row in self._db.execute(query)]

    def recipients(self, agency_id: str) -> list[tuple[str, str | None, list[str]]]:
        """The active users of an agency: (user id, e-mail address or None, roles)."""
        u = orm.users
        query = select(u.c.id, u.c.email, u.c.roles).where(
            u.c.agency_id == agency_id, u.c.active.is_(True)
        )
        return [
            (row.id, row.email, list(row.roles)) for row in self._db.execute(query.order_by(u.c.id))
        ]

    def preferences_of(
        self, user_ids: Sequence[str]
    ) -> dict[str, dict[tuple[Topic, Channel], bool]]:
        p = orm.notification_preferences
        found: dict[str, dict[tuple[Topic, Channel], bool]] = {uid: {} for uid in user_ids}
        if not user_ids:
            return found
        for row in self._db.execute(select(p).where(p.c.user_id.in_(list(user_ids)))):
            found[row.user_id][(Topic(row.topic), Channel(row.channel))] = row.enabled
        return found

    def subscriptions(self, agency_id: str) -> list[tuple[str, str, list[str]]]:
        """An agency's active webhook subscriptions: (id, url, topics)."""
        w = orm.webhook_subscriptions
        query = select(w.c.id, w.c.url, w.c.topics).where(
            w.c.agency_id == agency_id, w.c.active.is_(True)
        )
        return [(row.id, row.url, list(row.topics)) for row in self._db.execute(query)]

    def add_notifications(self, event_id: int, event: Event, user_ids: Sequence[str]) -> None:
        if not user_ids:
            return
        self._db.execute(
            insert_ignoring_duplicates(self._db, orm.notifications),
            [
                {
                    "user_id": user_id,
                    "event_id": event_id,
                    "topic": event.topic.value,
                    "subject": event.subject,
                    "link": event.link,
                    "at": event.at,
                }
                for user_id in user_ids
            ],
        )

    def add_messages(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._db.execute(insert_ignoring_duplicates(self._db, orm.outbox_messages), rows)

    def mark_expanded(self, event_ids: Sequence[int], at: datetime) -> None:
        e = orm.outbox_events
        self._db.execute(update(e).where(e.c.id.in_(list(event_ids))).values(expanded_at=at))

    def claim_due(self, now: datetime, limit: int) -> list[Message]:
        """Pending messages whose time has come, locked for this transaction."""
        m, e = orm.outbox_messages, orm.outbox_events
        query = (
            select(m)
            .where(m.c.status == MessageStatus.PENDING.value, m.c.next_attempt_at <= now)
            .order_by(m.c.next_attempt_at, m.c.id)
            .limit(limit)
            .with_for_update(of=m, skip_locked=True)
        )
        rows = list(self._db.execute(query))
        if not rows:
            return []
        events = {
            row.id: _event(row)
            for row in self._db.execute(select(e).where(e.c.id.in_({r.event_id for r in rows})))
        }
        hooks = {r.target for r in rows if r.channel == Channel.WEBHOOK.value}
        secrets = self._secrets(hooks, now) if hooks else {}
        return [_message(row, events[row.event_id], secrets.get(row.target, ())) for row in rows]

    def _secrets(self, subscription_ids: set[str], now: datetime) -> dict[str, tuple[str, ...]]:
        w = orm.webhook_subscriptions
        query = select(w.c.id, w.c.secret, w.c.previous_secret, w.c.previous_until).where(
            w.c.id.in_(subscription_ids)
        )
        found: dict[str, tuple[str, ...]] = {}
        for row in self._db.execute(query):
            rotating = row.previous_secret and row.previous_until and row.previous_until > now
            found[row.id] = (row.secret, row.previous_secret) if rotating else (row.secret,)
        return found

    def record(self, outcomes: Sequence[Outcome], worker: str) -> None:
        """What each attempt of a batch came to, in two statements: the messages' new state
        (delivered, to be tried again at ``retry_at``, or dead) and the attempts' log."""
        if not outcomes:
            return
        m = orm.outbox_messages
        self._db.execute(
            update(m)
            .where(m.c.id == bindparam("message"))
            .values(
                status=bindparam("new_status"),
                attempts=bindparam("new_attempts"),
                next_attempt_at=bindparam("next_at"),
                delivered_at=bindparam("done_at"),
                last_error=bindparam("error"),
            )
            .execution_options(synchronize_session=False),
            [_state(o) for o in outcomes],
        )
        self._db.execute(
            insert(orm.delivery_attempts),
            [
                {
                    "message_id": o.message.id,
                    "channel": o.message.channel.value,
                    "at": o.at,
                    "ok": o.ok,
                    "detail": o.detail[:500],
                    "worker": worker[:100],
                }
                for o in outcomes
            ],
        )

    def redrive(self, message_ids: Sequence[int], at: datetime) -> int:
        """Dead letters back in the queue, due now, with their attempts counted afresh."""
        m = orm.outbox_messages
        result = self._db.execute(
            update(m)
            .where(m.c.id.in_(list(message_ids)), m.c.status == MessageStatus.DEAD.value)
            .values(status=MessageStatus.PENDING.value, attempts=0, next_attempt_at=at)
        )
        return int(result.rowcount)

    def dead_letters_of(self, agency_id: str, message_ids: Sequence[int] | None) -> list[int]:
        """Of the dead letters named (or all), those whose event was written for the agency."""
        m, e = orm.outbox_messages, orm.outbox_events
        query = (
            select(m.c.id)
            .join(e, e.c.id == m.c.event_id)
            .where(e.c.agency_id == agency_id, m.c.status == MessageStatus.DEAD.value)
        )
        if message_ids is not None:
            query = query.where(m.c.id.in_(list(message_ids)))
        return [int(i) for i in self._db.scalars(query.order_by(m.c.id))]

    def beat(
        self,
        worker: str,
        at: datetime,
        *,
        started_at: datetime,
        swept: tuple[float, int, int] | None = None,
    ) -> None:
        """The worker is alive; with ``swept`` (seconds, lapses, reminders) it also swept."""
        h = orm.worker_heartbeats
        found = self._db.execute(select(h).where(h.c.worker == worker)).first()
        values: dict[str, Any] = {"beat_at": at}
        if swept is not None:
            seconds, lapses, reminders = swept
            values |= {
                "swept_at": at,
                "sweep_seconds": seconds,
                "sweeps": (found.sweeps if found else 0) + 1,
                "lapses": (found.lapses if found else 0) + lapses,
                "reminders": (found.reminders if found else 0) + reminders,
            }
        if found is None:
            row = {"sweep_seconds": 0.0, "sweeps": 0, "lapses": 0, "reminders": 0} | values
            self._db.execute(insert(h).values(worker=worker, started_at=started_at, **row))
        else:
            self._db.execute(update(h).where(h.c.worker == worker).values(**values))

    # -- people -------------------------------------------------------------------------------

    def mark_read(self, user_id: str, ids: Sequence[int] | None, at: datetime) -> int:
        """Mark the user's notifications read: those named, or all when ``ids`` is None."""
        n = orm.notifications
        query = update(n).where(n.c.user_id == user_id, n.c.read_at.is_(None))
        if ids is not None:
            query = query.where(n.c.id.in_(list(ids)))
        return int(self._db.execute(query.values(read_at=at)).rowcount)

    def set_preference(self, user_id: str, topic: Topic, channel: Channel, on: bool) -> None:
        p = orm.notification_preferences
        key = (p.c.user_id == user_id) & (p.c.topic == topic.value) & (p.c.channel == channel.value)
        if self._db.execute(select(func.count()).select_from(p).where(key)).scalar_one():
            self._db.execute(update(p).where(key).values(enabled=on))
        else:
            self._db.execute(
                insert(p).values(
                    user_id=user_id, topic=topic.value, channel=channel.value, enabled=on
                )
            )

    def set_email(self, user_id: str, email: str | None) -> None:
        u = orm.users
        self._db.execute(update(u).where(u.c.id == user_id).values(email=email))

    def email_of(self, user_id: str) -> str | None:
        u = orm.users
        found: str | None = self._db.execute(
            select(u.c.email).where(u.c.id == user_id)
        ).scalar_one_or_none()
        return found

    def add_subscription(self, row: dict[str, Any]) -> None:
        self._db.execute(insert(orm.webhook_subscriptions).values(**row))

    def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        w = orm.webhook_subscriptions
        row = self._db.execute(select(w).where(w.c.id == subscription_id)).first()
        return dict(row._mapping) if row else None

    def update_subscription(self, subscription_id: str, **values: Any) -> None:
        w = orm.webhook_subscriptions
        self._db.execute(update(w).where(w.c.id == subscription_id).values(**values))

    def add_feed(self, feed_id: str, user_id: str, digest: str, at: datetime) -> None:
        self._db.execute(
            insert(orm.calendar_feeds).values(
                id=feed_id, user_id=user_id, token_digest=digest, created_at=at
            )
        )

    def revoke_feeds(self, user_id: str, at: datetime, feed_id: str | None = None) -> int:
        c = orm.calendar_feeds
        query = update(c).where(c.c.user_id == user_id, c.c.revoked_at.is_(None))
        if feed_id is not None:
            query = query.where(c.c.id == feed_id)
        return int(self._db.execute(query.values(revoked_at=at)).rowcount)

    def feed_user(self, digest: str) -> str | None:
        """The user of a live feed token."""
        c = orm.calendar_feeds
        found: str | None = self._db.execute(
            select(c.c.user_id).where(c.c.token_digest == digest, c.c.revoked_at.is_(None))
        ).scalar_one_or_none()
        return found


def _state(outcome: Outcome) -> dict[str, Any]:
    if outcome.ok:
        status, next_at, done_at = MessageStatus.DELIVERED, outcome.at, outcome.at
    elif outcome.retry_at is None:
        status, next_at, done_at = MessageStatus.DEAD, outcome.at, None
    else:
        status, next_at, done_at = MessageStatus.PENDING, outcome.retry_at, None
    return {
        "message": outcome.message.id,
        "new_status": status.value,
        "new_attempts": outcome.message.attempts + 1,
        "next_at": next_at,
        "done_at": done_at,
        "error": "" if outcome.ok else outcome.detail[:500],
    }


def _event(row: Row[Any]) -> Event:
    return Event(
        key=row.key,
        agency_id=row.agency_id,
        topic=Topic(row.topic),
        subject=row.subject,
        link=row.link,
        at=row.at,
        instrument_id=row.instrument_id,
        data=dict(row.data),
    )


def _message(row: Row[Any], event: Event, secrets: tuple[str, ...]) -> Message:
    return Message(
        id=row.id,
        key=row.key,
        event=event,
        channel=Channel(row.channel),
        target=row.target,
        address=row.address,
        attempts=row.attempts,
        secrets=secrets,
    )

"""The desk's clock: the sweep that lapses what is overdue and reminds of what is due, and the
delivery of the outbox (docs/adr/0014-worker-outbox.md).

Both are idempotent. A lapse re-checks the instrument in its own unit of work; a reminder's key
names the instrument, the agency, the due time and the window, so a second sweep writes nothing;
an event is expanded into messages once (its row is locked and marked in one transaction); a
message is claimed under a row lock, so two workers never hold it at once, and a worker that
dies mid-delivery leaves it pending, to be delivered again under the same idempotency key."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lexdesk.domain.agencies import Role
from lexdesk.domain.notifications import (
    USER_CHANNELS,
    Channel,
    DeliveryFailed,
    Event,
    Message,
    MessageStatus,
    Outcome,
    RetryPolicy,
    message_key,
    wants,
)
from lexdesk.domain.permissions import ROLE_PERMISSIONS, Permission
from lexdesk.services import audit, notices, transparency, work
from lexdesk.services.account_lifecycle import sweep_accounts
from lexdesk.services.context import Desk
from lexdesk.services.escalation import lapse_overdue
from lexdesk.services.ports import Courier, UnitOfWork

log = logging.getLogger("lexdesk.worker")


@dataclass(frozen=True)
class Schedule:
    """When the worker reminds, and how it retries. ``LEXDESK_REMINDERS`` etc. (config)."""

    #: Remind the agency that must answer this long before a due time (the smallest window
    #: the due time has entered, once per window and due time).
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    #: Remind the custodian of an open detainer, notification or transfer request this long
    #: before the person's expected release.
    release_near: timedelta = timedelta(hours=24)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Messages claimed per transaction: a crash redelivers at most this many.
    batch: int = 10
    #: Overdue instruments lapsed per sweep (the rest wait for the next).
    sweep_limit: int = 10_000


@dataclass(frozen=True)
class SweepReport:
    lapsed: int
    reminders: int
    seconds: float
    #: Form drafts and saved searches past their keeping, deleted.
    forgotten: int = 0
    #: Transparency reports published on their schedule.
    published: int = 0
    #: Events added to the reports' daily tallies.
    tallied: int = 0
    #: Accounts disabled after 90 days unused; inactive but kept (each agency's last active
    #: administrator); temporary accounts removed after their end; API tokens unused 90 days,
    #: revoked (``account_lifecycle``).
    accounts_disabled: int = 0
    accounts_kept: int = 0
    accounts_removed: int = 0
    tokens_revoked: int = 0


@dataclass
class DeliveryReport:
    expanded: int = 0
    delivered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)

    def count(self, into: dict[str, int], channel: Channel) -> None:
        into[channel.value] = into.get(channel.value, 0) + 1


class Worker:
    def __init__(
        self,
        desk: Desk,
        couriers: Mapping[Channel, Courier],
        *,
        name: str,
        schedule: Schedule | None = None,
    ) -> None:
        self.desk = desk
        self.couriers = dict(couriers)
        self.name = name
        self.schedule = schedule or Schedule()
        self.started_at = desk.clock.now()

    # -- the sweep ----------------------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Lapse what is overdue, write the reminders that have come due, forget the drafts,
        searches and idempotency keys kept past their time (a draft may hold what was typed
        about a person: "kept a day" is a promise the sweep keeps), disable the accounts
        unused 90 days and remove the temporary ones past their end (a minute after, where
        CJIS allows a week and 72 hours), and publish the reports whose schedule has come
        due. First, chain the audit entries that a failed chaining after a commit left
        waiting (ADR 0029): none, unless the database was away a moment."""
        started = time.perf_counter()
        audit.catch_up(self.desk)
        now = self.desk.clock.now()
        with self.desk.uow() as uow:
            overdue = uow.deadlines.overdue(now, self.schedule.sweep_limit)
        lapsed = lapse_overdue(self.desk, overdue)
        reminded = self._remind(now)
        forgotten = work.forget_expired(self.desk)
        accounts = sweep_accounts(self.desk)
        reports = self.desk.reports
        tallied = reports.tally(self.desk.clock.now()) if reports else 0
        published = transparency.publish_due(self.desk) if reports else []
        seconds = time.perf_counter() - started
        with self.desk.uow() as uow:
            uow.outbox.beat(
                self.name,
                self.desk.clock.now(),
                started_at=self.started_at,
                swept=(seconds, len(lapsed), reminded),
            )
            uow.commit()
        return SweepReport(
            len(lapsed),
            reminded,
            seconds,
            forgotten,
            len(published),
            tallied,
            len(accounts.disabled),
            len(accounts.kept),
            len(accounts.removed),
            len(accounts.tokens_revoked),
        )

    def _remind(self, now: datetime) -> int:
        """A release near comes first; a due time at that same moment (a notification
        request is due at the release) is not told a second time."""
        windows = sorted(self.schedule.reminders)
        written = 0
        with self.desk.uow() as uow:
            near, told = self.schedule.release_near, set()
            for due in uow.deadlines.releases_within(now, now + near):
                event = notices.reminder(due, _words(near), now, release_near=True)
                written += uow.outbox.add_event(event)
                told.add((due.instrument_id, due.at))
            if windows:
                for due in uow.deadlines.due_within(now, now + windows[-1]):
                    if (due.instrument_id, due.at) in told:
                        continue
                    window = next(w for w in windows if due.at - now <= w)
                    written += uow.outbox.add_event(notices.reminder(due, _words(window), now))
            uow.commit()
        return written

    # -- delivery -----------------------------------------------------------------------------

    def deliver(self, *, max_rounds: int | None = None) -> DeliveryReport:
        """Expand new events into messages, then deliver every message that is due."""
        report = DeliveryReport()
        while self._expand(report):
            pass
        rounds = 0
        while max_rounds is None or rounds < max_rounds:
            rounds += 1
            if not self._deliver_batch(report):
                break
        return report

    def _expand(self, report: DeliveryReport, limit: int = 200) -> bool:
        """One transaction: up to ``limit`` events become notifications and messages."""
        now = self.desk.clock.now()
        with self.desk.uow() as uow:
            claimed = uow.outbox.claim_unexpanded(limit)
            if not claimed:
                return False
            for event_id, event in claimed:
                _expand_one(uow, event_id, event, now)
            uow.outbox.mark_expanded([event_id for event_id, _ in claimed], now)
            uow.commit()
        report.expanded += len(claimed)
        return True

    def _deliver_batch(self, report: DeliveryReport) -> bool:
        """One transaction holds the claimed rows' locks while they are delivered: a worker
        killed here releases them with its connection, and they are delivered again."""
        with self.desk.uow() as uow:
            claimed = uow.outbox.claim_due(self.desk.clock.now(), self.schedule.batch)
            if not claimed:
                return False
            outcomes = [self._attempt(message, report) for message in claimed]
            uow.outbox.record(outcomes, self.name)
            uow.commit()
        return True

    def _attempt(self, message: Message, report: DeliveryReport) -> Outcome:
        courier = self.couriers.get(message.channel)
        now = self.desk.clock.now()
        try:
            if courier is None:
                raise DeliveryFailed(f"no {message.channel.value} channel is configured")
            detail = courier.deliver(message)
        except DeliveryFailed as failure:
            retry = (
                None
                if failure.permanent
                else self.schedule.retry.next_attempt(message.attempts + 1, now)
            )
            report.count(report.failed if retry else report.dead, message.channel)
            log.warning(
                "delivery %s on %s failed (attempt %d): %s%s",
                message.key,
                message.channel.value,
                message.attempts + 1,
                failure.reason,
                "" if retry else "; dead-lettered",
            )
            return Outcome(message, now, False, failure.reason, retry)
        report.count(report.delivered, message.channel)
        return Outcome(message, self.desk.clock.now(), True, detail)

    # -- both ---------------------------------------------------------------------------------

    def once(self) -> tuple[SweepReport, DeliveryReport]:
        return self.sweep(), self.deliver()

    def beat(self) -> None:
        with self.desk.uow() as uow:
            uow.outbox.beat(self.name, self.desk.clock.now(), started_at=self.started_at)
            uow.commit()


def _expand_one(uow: UnitOfWork, event_id: int, event: Event, now: datetime) -> None:
    # Those who may read instruments: an auditor or an administrator is not sent casework.
    people = [
        (user_id, email)
        for user_id, email, roles in uow.outbox.recipients(event.agency_id)
        if any(Permission.INSTRUMENT_READ in ROLE_PERMISSIONS[Role(r)] for r in roles)
    ]
    preferences = uow.outbox.preferences_of([user_id for user_id, _ in people])
    in_app = [u for u, _ in people if wants(preferences[u], event.topic, Channel.IN_APP)]
    uow.outbox.add_notifications(event_id, event, in_app)
    rows: list[dict[str, Any]] = []
    for user_id, email in people:
        if email and wants(preferences[user_id], event.topic, Channel.EMAIL):
            rows.append(_message_row(event_id, event, Channel.EMAIL, user_id, email, now))
    for subscription_id, url, topics in uow.outbox.subscriptions(event.agency_id):
        if event.topic.value in topics:
            rows.append(_message_row(event_id, event, Channel.WEBHOOK, subscription_id, url, now))
    uow.outbox.add_messages(rows)


def _message_row(
    event_id: int, event: Event, channel: Channel, target: str, address: str, now: datetime
) -> dict[str, Any]:
    return {
        "key": message_key(event.key, channel, target),
        "event_id": event_id,
        "channel": channel.value,
        "target": target,
        "address": address,
        "status": MessageStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }


def _words(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours and span.total_seconds() % 3600 == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, int(span.total_seconds() // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


__all__ = ["USER_CHANNELS", "DeliveryReport", "Schedule", "SweepReport", "Worker"]

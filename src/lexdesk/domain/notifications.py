"""Notifications: what the desk tells an agency's people, on which channel, and how a delivery
that failed is tried again.

An *event* is written to the outbox in the same transaction as the change it reports, once for
each agency that may learn of the change, in the words that agency may read (the disclosure
policy decides them when the event is written). The worker later turns each event into
*messages*, one per channel and recipient, and delivers them at least once: every message keeps
one idempotency key across its attempts, so a receiver can drop a duplicate."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Topic(StrEnum):
    """What a notification is about; the unit of a user's or a subscription's preferences."""

    RECEIVED = "received"  # an instrument arrived for one's agency
    ANSWERED = "answered"  # one's instrument was answered
    CHANGED = "changed"  # any other change one may learn of: acknowledged, withdrawn, lapsed...
    REMINDER = "reminder"  # something one must act on is due soon, or a release is near


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class MessageStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # gave up after the last attempt; an administrator may re-drive it


#: The channels a user chooses among (webhooks belong to an agency's subscriptions).
USER_CHANNELS = (Channel.IN_APP, Channel.EMAIL)

#: What a user gets when they have said nothing: everything in the desk, and by e-mail what
#: needs action (a new instrument, a deadline).
DEFAULT_PREFERENCES: dict[tuple[Topic, Channel], bool] = {
    **{(topic, Channel.IN_APP): True for topic in Topic},
    (Topic.RECEIVED, Channel.EMAIL): True,
    (Topic.REMINDER, Channel.EMAIL): True,
    (Topic.ANSWERED, Channel.EMAIL): False,
    (Topic.CHANGED, Channel.EMAIL): False,
}


@dataclass(frozen=True)
class Event:
    """One thing one agency is told: already in the words that agency may read."""

    key: str  # unique: the idempotency key every message of the event derives from
    agency_id: str  # the audience
    topic: Topic
    subject: str  # no personal data: a kind, a reference, agencies, a status
    link: str  # the desk's page for it, relative to the desk's address
    at: datetime
    instrument_id: str = ""
    #: Extra fields for machine readers (webhooks): ids, statuses, the due time the audience
    #: may see. Never a name, a date of birth or a record.
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """One delivery of an event on one channel to one recipient."""

    id: int
    key: str  # the event's key, the channel and the recipient: the same on every attempt
    event: Event
    channel: Channel
    target: str  # a user id (e-mail) or a webhook subscription id
    address: str  # the e-mail address or the webhook URL
    attempts: int = 0
    #: A webhook's signing secrets: the current one, and the previous during a rotation.
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to."""

    message: Message
    at: datetime
    ok: bool
    detail: str  # what the receiver answered, or why it failed
    retry_at: datetime | None = None  # for a failure: when to try again; None: dead-lettered


@dataclass(frozen=True)
class Due:
    """An open instrument with a time its addressee must mind: its due time, or the person's
    expected release (which only the custodian, the addressee here, may see)."""

    instrument_id: str
    kind: str
    reference: str
    status: str
    addressee_agency_id: str
    at: datetime


class DeliveryFailed(Exception):
    """The channel could not deliver this time: a refusal, a timeout, a 5xx. The worker tries
    again later; a ``permanent`` failure (a 4xx other than 408/429) is dead-lettered at once."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff
    and Jitter"): attempt n waits a random time up to ``base * 2**(n-1)``, capped, so that many
    messages failing together do not come back together."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=6)

    def next_attempt(
        self, attempts: int, now: datetime, rng: random.Random | None = None
    ) -> datetime | None:
        """When to try again after ``attempts`` failed attempts, or None: dead-letter it."""
        if attempts >= self.max_attempts:
            return None
        ceiling = min(self.cap, self.base * (2 ** (attempts - 1)))
        fraction: float = (rng or _jitter).random()
        # At least a second, so that a burst of failures never spins the worker.
        wait: timedelta = max(timedelta(seconds=1), ceiling * fraction)
        return now + wait


_jitter = random.SystemRandom()


def message_key(event_key: str, channel: Channel, target: str) -> str:
    return f"{event_key}/{channel.value}/{target}"


def wants(preferences: dict[tuple[Topic, Channel], bool], topic: Topic, channel: Channel) -> bool:
    """Whether a user with these stated preferences gets ``topic`` on ``channel``."""
    return preferences.get((topic, channel), DEFAULT_PREFERENCES.get((topic, channel), False))

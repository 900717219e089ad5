"""What people choose about being told: their preferences, their e-mail address, their
calendar feeds; an agency's webhook subscriptions and their secrets; reading the in-desk
notifications. Every change is audited; no secret or token is ever stored or logged in clear
(a feed token is kept as its digest; a webhook secret is shown once, at creation or rotation)."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from lexdesk.domain.agencies import User
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.ids import new_id
from lexdesk.domain.notifications import USER_CHANNELS, Channel, Topic
from lexdesk.domain.permissions import Permission
from lexdesk.services import audit, outbox_admin
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, audit_actor
from lexdesk.services.ports import UnitOfWork

MAX_EMAIL = 254
MAX_URL = 500
#: How long receivers may still check the previous secret after a rotation, by default.
ROTATION_GRACE = timedelta(hours=24)


def parse_topic(value: str) -> Topic:
    try:
        return Topic(value)
    except ValueError:
        known = ", ".join(t.value for t in Topic)
        raise InvalidInput(f"unknown topic {value!r}: choose one of {known}") from None


def parse_channel(value: str) -> Channel:
    try:
        channel = Channel(value)
    except ValueError:
        channel = None
    if channel not in USER_CHANNELS:
        known = ", ".join(c.value for c in USER_CHANNELS)
        raise InvalidInput(f"unknown channel {value!r}: choose one of {known}")
    return channel


def set_preference(desk: Desk, username: str, topic: str, channel: str, on: bool) -> None:
    chosen_topic, chosen_channel = parse_topic(topic), parse_channel(channel)
    with desk.uow() as uow:
        user = acting_user(uow, username)
        uow.outbox.set_preference(user.id, chosen_topic, chosen_channel, on)
        said = {"topic": chosen_topic.value, "channel": chosen_channel.value}
        said["on"] = "yes" if on else "no"
        _record(desk, uow, user, "notification.preference", "user", user.id, **said)
        uow.commit()


def set_preferences(desk: Desk, username: str, chosen: Mapping[tuple[str, str], bool]) -> int:
    """Several preferences at once (a form's table), in one unit of work and one audit entry;
    the count of those set."""
    parsed = {(parse_topic(t), parse_channel(c)): on for (t, c), on in chosen.items()}
    if not parsed:
        return 0
    with desk.uow() as uow:
        user = acting_user(uow, username)
        for (topic, channel), on in sorted(parsed.items()):
            uow.outbox.set_preference(user.id, topic, channel, on)
        said = ",".join(
            f"{topic.value}/{channel.value}={'on' if on else 'off'}"
            for (topic, channel), on in sorted(parsed.items())
        )
        _record(desk, uow, user, "notification.preference", "user", user.id, set=said)
        uow.commit()
    return len(parsed)


def check_email(value: str) -> str | None:
    """An address, or None to stop e-mail; refused with a message when it is not one."""
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_EMAIL:
        raise InvalidInput(f"the e-mail address is longer than {MAX_EMAIL} characters")
    _, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    if address != value or not local or "." not in domain or " " in value:
        raise InvalidInput(f"{value!r} is not an e-mail address: write it as name@example.org")
    return value


def set_email(desk: Desk, actor: str, username: str, address: str) -> None:
    """One's own address; or, for an administrator, the address of a user of the agency."""
    email = check_email(address)
    with desk.uow() as uow:
        user = acting_user(uow, actor)
        target = _self_or_administered(uow, user, username)
        uow.outbox.set_email(target.id, email)
        _record(
            desk,
            uow,
            user,
            "notification.email",
            "user",
            target.id,
            email="set" if email else "removed",
        )
        uow.commit()


def person(desk: Desk, username: str) -> User:
    """The active user whose notifications, preferences and feeds a reader asks for."""
    with desk.uow() as uow:
        return acting_user(uow, username)


def administrator(desk: Desk, username: str) -> User:
    """The active user, if they administer their agency (its webhooks, its dead letters)."""
    with desk.uow() as uow:
        user = acting_user(uow, username)
    authorize(user, Permission.USER_ADMIN)
    return user


def email_of(desk: Desk, username: str) -> str | None:
    with desk.uow() as uow:
        return uow.outbox.email_of(acting_user(uow, username).id)


def mark_read(desk: Desk, username: str, ids: Sequence[int] | None = None) -> int:
    """Mark one's own notifications read (those named, or all)."""
    with desk.uow() as uow:
        user = acting_user(uow, username)
        count = uow.outbox.mark_read(user.id, ids, desk.clock.now())
        if count:
            shown = "all" if ids is None else ",".join(str(i) for i in list(ids)[:50])
            _record(
                desk, uow, user, "notification.read", "user", user.id,
                notifications=shown, marked=str(count),
            )  # fmt: skip
        uow.commit()
    return count


def redrive(desk: Desk, actor: str, message_ids: Sequence[int] | None = None) -> int:
    """An administrator puts the agency's dead letters (those named, or all) back in the
    queue; another agency's messages are not theirs to name."""
    with desk.uow() as uow:
        user = acting_user(uow, actor)
        authorize(user, Permission.USER_ADMIN)
        own = uow.outbox.dead_letters_of(user.agency_id, message_ids)
    if message_ids is not None and len(own) < len(set(message_ids)):
        missing = sorted(set(message_ids) - set(own))
        raise NotFound("dead letter", ",".join(str(i) for i in missing[:10]))
    if not own:
        return 0
    who, _ = audit_actor(desk, user.username)
    return outbox_admin.redrive(desk, own, who, user.agency_id)


# -- calendar feeds ---------------------------------------------------------------------------


def create_feed(desk: Desk, username: str) -> str:
    """A new feed token for the user (shown once); the earlier ones stay until revoked."""
    token = secrets.token_urlsafe(32)
    with desk.uow() as uow:
        user = acting_user(uow, username)
        authorize(user, Permission.INSTRUMENT_READ)
        feed_id = new_id("cal")
        uow.outbox.add_feed(feed_id, user.id, token_digest(token), desk.clock.now())
        _record(desk, uow, user, "calendar.create", "calendar_feed", feed_id)
        uow.commit()
    return token


def revoke_feeds(desk: Desk, username: str) -> int:
    with desk.uow() as uow:
        user = acting_user(uow, username)
        count = uow.outbox.revoke_feeds(user.id, desk.clock.now())
        _record(desk, uow, user, "calendar.revoke", "user", user.id, feeds=str(count))
        uow.commit()
    return count


def feed_user(desk: Desk, token: str) -> User | None:
    """The active user a feed token belongs to, or None (unknown, revoked, disabled)."""
    with desk.uow() as uow:
        user_id = uow.outbox.feed_user(token_digest(token))
        user = uow.users.get(user_id) if user_id else None
    return user if user is not None and user.active else None


# -- webhooks ---------------------------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL:
        raise InvalidInput(f"the webhook URL is longer than {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not a web address: write e.g. https://hooks.example.org/x")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise InvalidInput("a webhook URL must use https (http only to this machine, for tests)")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_subscription(desk: Desk, actor: str, url: str, topics: Sequence[str]) -> tuple[str, str]:
    """A webhook subscription for the actor's agency: (its id, its secret, shown only now)."""
    chosen = sorted({parse_topic(t).value for t in topics}) or [t.value for t in Topic]
    checked, secret = check_url(url), new_secret()
    with desk.uow() as uow:
        user = acting_user(uow, actor)
        authorize(user, Permission.USER_ADMIN)
        subscription_id = new_id("whk")
        uow.outbox.add_subscription(
            {
                "id": subscription_id,
                "agency_id": user.agency_id,
                "url": checked,
                "topics": chosen,
                "secret": secret,
                "active": True,
                "created_at": desk.clock.now(),
            }
        )
        _record(
            desk,
            uow,
            user,
            "webhook.add",
            "webhook",
            subscription_id,
            url=checked,
            topics=",".join(chosen),
        )
        uow.commit()
    return subscription_id, secret


def rotate_secret(
    desk: Desk, actor: str, subscription_id: str, grace: timedelta = ROTATION_GRACE
) -> str:
    """A new secret; the old one signs too, beside it, for ``grace`` (receivers switch over)."""
    secret = new_secret()
    with desk.uow() as uow:
        user, found = _own_subscription(uow, actor, subscription_id)
        now = desk.clock.now()
        uow.outbox.update_subscription(
            subscription_id,
            secret=secret,
            previous_secret=found["secret"],
            previous_until=now + grace,
        )
        _record(
            desk,
            uow,
            user,
            "webhook.rotate",
            "webhook",
            subscription_id,
            grace_hours=str(round(grace.total_seconds() / 3600, 2)),
        )
        uow.commit()
    return secret


def set_subscription_active(desk: Desk, actor: str, subscription_id: str, active: bool) -> None:
    with desk.uow() as uow:
        user, _ = _own_subscription(uow, actor, subscription_id)
        uow.outbox.update_subscription(subscription_id, active=active)
        action = "webhook.enable" if active else "webhook.disable"
        _record(desk, uow, user, action, "webhook", subscription_id)
        uow.commit()


def _own_subscription(
    uow: UnitOfWork, actor: str, subscription_id: str
) -> tuple[User, dict[str, object]]:
    user = acting_user(uow, actor)
    authorize(user, Permission.USER_ADMIN)
    found = uow.outbox.subscription(subscription_id)
    if found is None or found["agency_id"] != user.agency_id:
        raise NotFound("webhook subscription", subscription_id)
    return user, found


def _self_or_administered(uow: UnitOfWork, user: User, username: str) -> User:
    if username == user.username:
        return user
    authorize(user, Permission.USER_ADMIN)
    target = uow.users.by_username(username)
    if target is None or target.agency_id != user.agency_id:
        raise NotFound("user", username)
    return target


def _record(
    desk: Desk,
    uow: UnitOfWork,
    user: User,
    action: str,
    object_type: str,
    object_id: str,
    **detail: str,
) -> None:
    who, behalf = audit_actor(desk, user.username)
    audit.record(
        uow,
        actor=who,
        agency=user.agency_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        source="cli" if desk.operator else "api",
        detail={**detail, **behalf},
    )

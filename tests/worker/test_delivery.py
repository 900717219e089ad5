"""Delivery against real receivers: an SMTP server and a webhook endpoint that accept, refuse,
hang or fail; retries with backoff, dead letters, re-driving, signatures a receiver verifies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from lexdesk.adapters import orm
from lexdesk.adapters.couriers import EmailCourier, SmtpServer, WebhookCourier
from lexdesk.domain.notifications import Channel, RetryPolicy
from lexdesk.services import notifications, outbox_admin
from lexdesk.services.ports import Courier
from lexdesk.services.worker import Schedule, Worker
from tests.lawful.harness import Lawful, book, issue
from tests.worker.sinks import (
    SmtpSink,
    WebhookSink,
    silent_server,
    smtp_server,
    webhook_server,
)

PERSONAL = ("Testperson", "Avery", "1991-07-09", "11111111A", "Placeholder Town")


def worker(world: Lawful, smtp_url: str = "", attempts: int = 3) -> Worker:
    couriers: dict[Channel, Courier] = {Channel.WEBHOOK: WebhookCourier(timeout=0.5)}
    if smtp_url:
        server = SmtpServer.from_url(smtp_url)
        couriers[Channel.EMAIL] = EmailCourier(
            server, sender="desk@lexdesk.example", base_url="https://desk.example", timeout=0.5
        )
    return Worker(
        world.desk, couriers, name="w1", schedule=Schedule(retry=RetryPolicy(max_attempts=attempts))
    )


def messages(world: Lawful) -> list[Any]:
    m = orm.outbox_messages
    with world.built.engine.connect() as db:
        return list(db.execute(select(m).order_by(m.c.id)))


def a_detainer_for_doc(world: Lawful) -> None:
    book(world)
    issue(world, "detainer", ("notify_release",))


def later(world: Lawful, hours: float = 7) -> None:
    """Past any backoff (capped at 6 hours)."""
    world.clock.moment += timedelta(hours=hours)


def test_an_email_carries_a_link_and_no_record(world: Lawful) -> None:
    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    sink = SmtpSink()
    with smtp_server(sink) as url:
        a_detainer_for_doc(world)
        report = worker(world, url).deliver()
    assert report.delivered == {"email": 1}
    (mail,) = sink.received
    assert mail["To"] == "officer@doc.example"
    assert mail["Subject"].startswith("[lexdesk] Received: Detainer")
    body = mail.get_content()
    assert "https://desk.example/instruments/ins-" in body
    assert not any(word in mail.as_string() for word in PERSONAL)
    (row,) = messages(world)
    assert mail["X-Lexdesk-Idempotency-Key"] == row.key and row.status == "delivered"


def test_a_refusing_smtp_server_dead_letters_at_once_a_busy_one_is_retried(world: Lawful) -> None:
    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    a_detainer_for_doc(world)
    busy = SmtpSink(refuse="451 4.3.0 try again later")
    with smtp_server(busy) as url:
        first = worker(world, url).deliver()
    assert first.failed == {"email": 1}
    (row,) = messages(world)
    assert (row.status, row.attempts) == ("pending", 1) and "451" in row.last_error
    assert row.next_attempt_at > world.clock.now()
    later(world)
    gone = SmtpSink(refuse="550 5.1.1 no such mailbox")
    with smtp_server(gone) as url:
        second = worker(world, url).deliver()
    assert second.dead == {"email": 1}
    (row,) = messages(world)
    assert (row.status, row.attempts) == ("dead", 2)
    # An administrator re-drives it; the mailbox exists again.
    assert outbox_admin.redrive(world.desk, [row.id], "doc-admin", "doc") == 1
    fine = SmtpSink()
    with smtp_server(fine) as url:
        assert worker(world, url).deliver().delivered == {"email": 1}
    assert len(fine.received) == 1


def test_a_hung_smtp_server_times_out_and_the_worker_goes_on(world: Lawful) -> None:
    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    sink = WebhookSink()
    with webhook_server(sink) as hook, silent_server() as port:
        notifications.add_subscription(world.desk, "doc-admin", hook, ["received"])
        a_detainer_for_doc(world)
        report = worker(world, f"smtp://127.0.0.1:{port}").deliver()
    assert report.failed == {"email": 1}
    assert report.delivered == {"webhook": 1}
    email = next(m for m in messages(world) if m.channel == "email")
    assert email.status == "pending" and "timed out" in email.last_error


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failing_endpoint_is_retried_then_dead_lettered(world: Lawful, status: int) -> None:
    failing = WebhookSink(status=status)
    with webhook_server(failing) as hook:
        notifications.add_subscription(world.desk, "doc-admin", hook, [])
        a_detainer_for_doc(world)
        the_worker = worker(world, attempts=3)
        assert the_worker.deliver().failed == {"webhook": 1}
        assert the_worker.deliver().failed == {}  # not due yet: backoff
        later(world)
        assert the_worker.deliver().failed == {"webhook": 1}
        later(world)
        assert the_worker.deliver().dead == {"webhook": 1}
    assert len(failing.received) == 3
    assert len(set(failing.ids())) == 1  # one message, one id, on every attempt
    (row,) = messages(world)
    assert (row.status, row.attempts) == ("dead", 3) and f"HTTP {status}" in row.last_error
    attempts = orm.delivery_attempts
    with world.built.engine.connect() as db:
        logged = list(db.execute(select(attempts.c.ok, attempts.c.detail)))
    assert [ok for ok, _ in logged] == [False, False, False]


def test_a_client_error_is_dead_lettered_at_once(world: Lawful) -> None:
    with webhook_server(WebhookSink(status=410)) as hook:
        notifications.add_subscription(world.desk, "doc-admin", hook, [])
        a_detainer_for_doc(world)
        assert worker(world).deliver().dead == {"webhook": 1}


def test_an_unreachable_or_silent_endpoint_is_retried(world: Lawful) -> None:
    with silent_server() as port:
        notifications.add_subscription(world.desk, "doc-admin", f"http://127.0.0.1:{port}/hook", [])
        closed = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/hook"
        notifications.add_subscription(world.desk, "doc-admin", closed, [])
        a_detainer_for_doc(world)
        report = worker(world).deliver()
    assert report.failed == {"webhook": 2}
    errors = sorted(m.last_error for m in messages(world))
    assert any("timed out" in e for e in errors)
    assert all(m.status == "pending" for m in messages(world))


def test_webhooks_are_signed_and_a_rotation_signs_with_both_secrets(world: Lawful) -> None:
    sink = WebhookSink()
    with webhook_server(sink) as hook:
        hook_id, secret = notifications.add_subscription(world.desk, "doc-admin", hook, [])
        a_detainer_for_doc(world)
        worker(world).deliver()
        newer = notifications.rotate_secret(world.desk, "doc-admin", hook_id)
        issue(world, "notification_request", ("notify_release",))
        worker(world).deliver()
        world.clock.moment += timedelta(hours=25)
        issue(world, "transfer_request", ("transfer",))
        worker(world).deliver()
    first, during, after = sink.received
    payload = Webhook(secret).verify(first.body, first.headers)
    assert payload["type"] == "instrument.received"
    assert payload["data"]["kind"] == "detainer" and payload["data"]["addressee"] == "doc"
    assert not any(word in first.body for word in PERSONAL)
    # During the grace period both secrets verify; after it, only the new one.
    assert Webhook(secret).verify(during.body, during.headers)
    assert Webhook(newer).verify(during.body, during.headers)
    assert Webhook(newer).verify(after.body, after.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(after.body, after.headers)
    assert json.loads(after.body)["data"]["kind"] == "transfer_request"

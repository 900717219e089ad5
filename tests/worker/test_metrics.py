"""``GET /metrics``: Prometheus text read from the database; token or loopback only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from lexdesk.services.worker import Worker
from tests.lawful.harness import Lawful, book, issue


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_report_the_queue_the_deliveries_and_the_sweeps(world: Lawful) -> None:
    from lexdesk.services import notifications

    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    book(world, release=world.clock.now() + timedelta(days=1))
    issue(world, "detainer", ("hold",))
    worker = Worker(world.desk, {}, name="w1")
    worker.sweep()
    worker.deliver()  # no e-mail courier: the notice and the reminder fail, to be retried
    answer = world.client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    found = samples(answer.text)
    assert found[("lexdesk_outbox_messages", (("channel", "email"), ("status", "pending")))] == 2
    assert found[("lexdesk_delivery_failures_total", (("channel", "email"),))] == 2
    assert found[("lexdesk_deliveries_total", (("channel", "webhook"),))] == 0
    assert found[("lexdesk_sweeps_total", (("worker", "w1"),))] == 1
    assert found[("lexdesk_reminders_total", (("worker", "w1"),))] == 1
    assert ("lexdesk_sweep_duration_seconds", (("worker", "w1"),)) in found
    assert found[("lexdesk_outbox_events_unexpanded", ())] == 0
    assert found[("lexdesk_audit_entries_waiting", ())] == 0


def test_metrics_need_the_token_when_one_is_set(world: Lawful) -> None:
    settings = Settings(database_url=world.url, metrics_token="s3cret-metrics")
    client = TestClient(create_app(build(settings, clock=world.clock)))
    assert client.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret-metrics"}
    assert client.get("/metrics", headers=right).status_code == 200


def test_metrics_without_a_token_answer_loopback_only(world: Lawful) -> None:
    remote = TestClient(world.client.app, client=("203.0.113.9", 50000))
    answer = remote.get("/metrics")
    assert answer.status_code == 403 and "LEXDESK_METRICS_TOKEN" in answer.text
    local = TestClient(world.client.app, client=("127.0.0.1", 50000))
    assert local.get("/metrics").status_code == 200

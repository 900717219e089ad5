"""``GET /api/v1/health`` and the audit alarm (security.md row 16; CJIS AU-5, AU-9): an audit
write that fails fails its request, alerts on ``lexdesk.alerts`` in that same request, and turns
the health endpoint red for the next hour."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lexdesk.adapters.alarm import ALERTS
from lexdesk.adapters.audit_repository import SqlAuditRepository
from lexdesk.domain.audit import draft, format_time
from lexdesk.queries import health as probes
from lexdesk.services import audit
from tests.api.world import World
from tests.heartbeat import record_sweep
from tests.reliability.support import InjectedFault

DETAINER = {
    "kind": "detainer",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["hold"],
    "warrant": "judicial",
}
#: What must never appear in an alert or a health answer (world.py's person).
PERSONAL = ("Example", "Jordan", "1990-05-04", "Fictional Way", "12345679A")


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(
        world.client.app, base_url="https://testserver", raise_server_exceptions=False
    ) as client:
        yield client


def test_a_healthy_desk_answers_ok_without_a_credential(world: World, client: TestClient) -> None:
    record_sweep(world.built.desk, "worker-1")
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200, answer.text
    swept = f"{format_time(world.clock.now())} by worker-1"
    assert answer.json() == {"status": "ok", "last_sweep": swept}
    assert answer.headers["cache-control"] == "no-store"


def test_health_turns_red_when_no_worker_has_swept_for_five_minutes(
    world: World, client: TestClient
) -> None:
    world.clock.advance(minutes=6)  # whatever swept before this test is stale now
    stale = client.get("/api/v1/health")
    assert stale.status_code == 503 and "no worker has swept" in stale.json()["worker"]
    record_sweep(world.built.desk, "worker-1")
    swept_at = format_time(world.clock.now())
    world.clock.advance(minutes=5)
    assert client.get("/api/v1/health").status_code == 200
    world.clock.advance(seconds=1)
    stopped = client.get("/api/v1/health")
    assert stopped.status_code == 503, stopped.text
    assert stopped.json()["worker"] == (
        f"no worker has swept since {swept_at} (worker-1): start `lexdesk worker`"
    )
    record_sweep(world.built.desk, "worker-2")
    assert client.get("/api/v1/health").json()["last_sweep"].endswith("by worker-2")


def test_an_audit_write_failure_alerts_in_the_same_request_and_turns_health_red(
    world: World,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(self: SqlAuditRepository, entry: object) -> None:
        raise InjectedFault("audit storage unavailable for Jordan Example")

    caplog.set_level(logging.CRITICAL, logger=ALERTS)
    caplog.clear()
    monkeypatch.setattr(SqlAuditRepository, "submit", refuse)
    answer = client.post("/api/v1/instruments", json=DETAINER, headers=world.auth("ice-officer"))
    alerts = [r for r in caplog.records if r.name == ALERTS]  # before any other request
    monkeypatch.undo()

    assert answer.status_code >= 500, answer.text
    assert alerts and all(r.levelno == logging.CRITICAL for r in alerts)
    message = alerts[0].getMessage()
    assert "InjectedFault" in message and "instrument" in message
    assert not any(word in message for word in PERSONAL)

    health = client.get("/api/v1/health")
    assert health.status_code == 503, health.text
    body = health.json()
    assert body["status"] == "failing"
    assert "InjectedFault" in body["audit"] and "2020-01-17T15:" in body["audit"]
    assert not any(word in health.text for word in PERSONAL)
    assert health.headers["cache-control"] == "no-store"

    # The trail works again, but the alert stands for the hour, then clears.
    assert client.get("/api/v1/health").status_code == 503
    world.clock.advance(hours=1, seconds=1)
    record_sweep(world.built.desk)
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_an_unreachable_database_turns_health_red(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(db: object) -> bool:
        raise InjectedFault("connection refused")

    monkeypatch.setattr(probes, "audit_head_readable", broken)
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "failing" and "InjectedFault" in answer.json()["database"]


def test_health_turns_red_when_an_audit_entry_has_waited_five_minutes_to_be_chained(
    world: World, client: TestClient
) -> None:
    with world.built.engine.begin() as db:  # committed, and the sequencer after it failed
        SqlAuditRepository(db, world.clock.now).submit(
            draft(
                at=world.clock.now(), actor="system", agency="", action="test.note",
                object_type="test", object_id="waiting", outcome="success", source="test",
                component="internal",
            )
        )  # fmt: skip
    since = format_time(world.clock.now())
    record_sweep(world.built.desk, "worker-1")
    assert client.get("/api/v1/health").status_code == 200  # chained any moment now
    world.clock.advance(minutes=5, seconds=1)
    record_sweep(world.built.desk, "worker-1")
    stuck = client.get("/api/v1/health")
    assert stuck.status_code == 503
    assert stuck.json()["audit"] == (
        f"1 audit entries wait to be chained, the oldest since {since}: start `lexdesk worker`,"
        " or run `lexdesk audit verify`"
    )
    assert audit.catch_up(world.built.desk) == 1
    assert client.get("/api/v1/health").status_code == 200

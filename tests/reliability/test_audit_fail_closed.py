"""Fail closed when the audit trail cannot be written (security.md row 16).

The audit append is made to fail (as a full disk or a revoked grant would) and the API is
asked to change state and to show personal data. Every answer must be a server error that
carries nothing of the record, and every table must be exactly as before: no change without
its entry, and no read of a person served without its entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lexdesk.adapters.audit_repository import SqlAuditRepository
from lexdesk.services import instruments as verbs
from tests.api.world import World
from tests.reliability.support import InjectedFault, snapshot

DETAINER = {
    "kind": "detainer",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["hold"],
    "warrant": "judicial",
}
BOOKING = {
    "family_name": "Unrecorded",
    "given_name": "Kim",
    "arrested_on": "2019-11-20",
    "booked_at": "2019-11-20T18:00:00Z",
    "identifiers": {"nysid": "33333333C"},
}
#: What must never leave the server while its read cannot be recorded (world.py's person).
PERSONAL = ("Example", "Jordan", "1990-05-04", "Fictional Way", "12345679A")


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(
        world.client.app, base_url="https://testserver", raise_server_exceptions=False
    ) as client:
        yield client


def _requests(world: World, issued: str) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    a = world.a
    return [
        # State changes.
        ("ice-officer", "POST", "/api/v1/instruments", DETAINER),
        ("doc-officer", "POST", f"/api/v1/instruments/{issued}/acknowledgement", {}),
        ("ice-officer", "POST", f"/api/v1/instruments/{issued}/withdrawal", {"reason": "x"}),
        ("doc-officer", "POST", "/api/v1/persons", BOOKING),
        # Reads of personal data.
        ("doc-officer", "GET", f"/api/v1/persons/{a.person}", None),
        (
            "doc-officer",
            "POST",
            "/api/v1/person-lookups",
            {"scheme": "nysid", "value": "12345679A"},
        ),
        ("ice-officer", "GET", f"/api/v1/persons/{a.person}/disclosures", None),
        ("ice-officer", "GET", f"/api/v1/instruments/{a.detainer}/disclosure", None),
        ("ice-officer", "GET", f"/api/v1/instruments/{a.detainer}", None),
        ("ice-officer", "GET", f"/api/v1/cases/{a.case}", None),
        ("ice-officer", "GET", f"/api/v1/cases/{a.case}/events", None),
        # Refusals, which are on record too: they cannot be answered as if recorded.
        ("doc-auditor", "GET", f"/api/v1/persons/{a.person}", None),
        ("ice-officer", "GET", f"/api/v1/cases/{world.b.case}", None),
    ]


def test_no_change_and_no_personal_data_without_its_audit_entry(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = world.built.desk
    issued = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument("ice-officer", "detainer", "doc", world.a.person, ("hold",)),
    ).id
    engine = world.built.engine
    before = snapshot(engine)

    def refuse(self: SqlAuditRepository, entry: object) -> None:
        raise InjectedFault("audit storage unavailable")

    monkeypatch.setattr(SqlAuditRepository, "submit", refuse)
    for user, method, path, body in _requests(world, issued):
        answer = client.request(method, path, json=body, headers=world.auth(user))
        assert answer.status_code >= 500, (method, path, answer.status_code, answer.text)
        assert not any(word in answer.text for word in PERSONAL), (path, answer.text)
        assert snapshot(engine) == before, (method, path)
    monkeypatch.undo()
    # With the audit trail back, the same requests are answered: the 5xx above were the fault's.
    expected = [201, 200, 200, 201, 200, 200, 200, 200, 200, 200, 200, 403, 404]
    statuses = [
        client.request(method, path, json=body, headers=world.auth(user)).status_code
        for user, method, path, body in _requests(world, issued)
    ]
    assert statuses == expected

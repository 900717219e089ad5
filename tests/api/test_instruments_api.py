"""Instruments over HTTP on both databases: the ladder through the API, errors mapped to
statuses, If-Match and concurrent writers (security.md row 21), and keyset pages."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from lexdesk.adapters import orm
from tests.api.world import World

DETAINER = {
    "kind": "detainer",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["hold", "notify_release", "disclose:release_date"],
    "warrant": "judicial",
}


def issue(world: World, **changes: Any) -> dict[str, Any]:
    answer = world.client.post(
        "/api/v1/instruments", json=DETAINER | changes, headers=world.auth("ice-officer")
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].endswith(answer.json()["id"])
    body: dict[str, Any] = answer.json()
    return body


def post(
    world: World, user: str, instrument: str, verb: str, body: dict[str, Any], **headers: str
) -> Any:
    return world.client.post(
        f"/api/v1/instruments/{instrument}/{verb}", json=body, headers=world.auth(user) | headers
    )


def test_a_request_answered_and_escalated_through_the_api(world: World) -> None:
    request = issue(world, kind="information_request", actions=["disclose:criminal_history"])
    ack = post(world, "doc-officer", request["id"], "acknowledgement", {}, **{"If-Match": '"1"'})
    assert ack.status_code == 200 and ack.headers["etag"] == '"2"'
    answer = post(
        world,
        "doc-legal",
        request["id"],
        "determination",
        {"outcome": "declined", "reason": "Local law forbids it."},
    )
    assert answer.json()["determination"]["evaluation"]["inputs"]["pack"] == "us-ny-nyc-doc"
    seen_by_issuer = world.client.get(
        f"/api/v1/instruments/{request['id']}", headers=world.auth("ice-officer")
    ).json()
    assert seen_by_issuer["determination"]["evaluation"] is None
    assert "evaluation" in seen_by_issuer["withheld"]
    assert seen_by_issuer["determination"]["answers"] == [
        {"action": "disclose:criminal_history", "answer": "declined", "citations": []}
    ]
    subpoena = post(
        world,
        "ice-officer",
        request["id"],
        "escalation",
        {"reason": "Declined.", "return_date": "2020-02-14T17:00:00-05:00"},
    )
    assert subpoena.status_code == 201
    assert subpoena.json()["kind"] == "administrative_subpoena"
    events = world.client.get(
        f"/api/v1/instruments/{request['id']}/events", headers=world.auth("doc-legal")
    ).json()
    assert [e["transition"] for e in events] == ["issue", "acknowledge", "determine", "escalate"]


def test_domain_errors_have_their_statuses_and_one_line(world: World) -> None:
    detainer = issue(world)
    wrong_side = post(
        world, "ice-legal", detainer["id"], "determination", {"outcome": "complied", "reason": "x"}
    )
    assert wrong_side.status_code == 403
    too_early = post(
        world, "doc-legal", detainer["id"], "determination", {"outcome": "complied", "reason": "x"}
    )
    assert too_early.status_code == 409 and "issued" in too_early.json()["detail"]
    unknown = world.client.post(
        "/api/v1/instruments",
        json=DETAINER | {"kind": "court_order"},
        headers=world.auth("ice-officer"),
    )
    assert unknown.status_code == 422 and "\n" not in unknown.json()["detail"]
    bad = world.client.post(
        "/api/v1/instruments",
        json={"kind": "nope", "actions": []},
        headers=world.auth("ice-officer"),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {
        "body.kind",
        "body.actions",
        "body.addressee",
    }


def test_a_stale_if_match_gets_412_and_changes_nothing(world: World) -> None:
    detainer = issue(world)
    assert post(
        world, "doc-officer", detainer["id"], "acknowledgement", {}, **{"If-Match": '"1"'}
    ).is_success
    stale = post(
        world, "ice-officer", detainer["id"], "withdrawal", {"reason": "x"}, **{"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    now = world.client.get(
        f"/api/v1/instruments/{detainer['id']}", headers=world.auth("ice-officer")
    )
    assert now.json()["status"] == "acknowledged" and now.headers["etag"] == '"2"'


def test_eight_writers_on_one_instrument_one_wins_and_nothing_is_lost(world: World) -> None:
    detainer = issue(world)
    start, results = threading.Barrier(8), []

    def writer(n: int) -> None:
        user, verb, body = (
            ("doc-officer", "acknowledgement", {})
            if n % 2
            else ("ice-officer", "withdrawal", {"reason": f"writer {n}"})
        )
        with TestClient(world.client.app, base_url="https://testserver") as client:
            start.wait()
            answer = client.post(
                f"/api/v1/instruments/{detainer['id']}/{verb}",
                json=body,
                headers=world.auth(user) | {"If-Match": '"1"'},
            )
        results.append((verb, answer.status_code))

    _run(writer, 8)
    wins = [verb for verb, status in results if status == 200]
    assert len(wins) == 1 and sorted(s for _, s in results) == [200] + [412] * 7
    final = world.client.get(
        f"/api/v1/instruments/{detainer['id']}", headers=world.auth("ice-officer")
    ).json()
    assert final["version"] == 2
    assert (
        final["status"] == {"acknowledgement": "acknowledged", "withdrawal": "withdrawn"}[wins[0]]
    )
    assert _events(world, detainer["id"]) == 2  # issue and the one that won


def test_eight_writers_who_retry_all_land_their_change(world: World) -> None:
    """Eight instruments of one case (one optimistic lock): every writer retries until its own
    change lands; in the end each change is there exactly once."""
    ids = [issue(world)["id"] for _ in range(8)]
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        with TestClient(world.client.app, base_url="https://testserver") as client:
            start.wait()
            for _ in range(50):
                current = client.get(
                    f"/api/v1/instruments/{ids[n]}", headers=world.auth("doc-officer")
                )
                answer = client.post(
                    f"/api/v1/instruments/{ids[n]}/acknowledgement",
                    json={},
                    headers=world.auth("doc-officer") | {"If-Match": current.headers["etag"]},
                )
                if answer.status_code == 200:
                    return
                assert answer.status_code in (409, 412), answer.text

    _run(writer, 8)
    for instrument_id in ids:
        shown = world.client.get(
            f"/api/v1/instruments/{instrument_id}", headers=world.auth("doc-officer")
        )
        assert shown.json()["status"] == "acknowledged" and shown.json()["version"] == 2
        assert _events(world, instrument_id) == 2


def test_pages_walk_every_row_once_in_order(world: World) -> None:
    issued = {issue(world)["id"] for _ in range(7)}
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": "-due_at", "limit": 3, "box": "sent"}
        page = world.client.get(
            "/api/v1/instruments",
            params=params | ({"cursor": cursor} if cursor else {}),
            headers=world.auth("ice-officer"),
        ).json()
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    ids = [row["id"] for row in seen]
    assert len(ids) == len(set(ids)) and issued <= set(ids)
    dated = [row["due_at"] for row in seen if row["due_at"]]
    assert dated == sorted(dated, reverse=True)
    assert all(row["due_at"] is None for row in seen[len(dated) :])  # undated rows come last
    filtered = world.client.get(
        "/api/v1/instruments",
        params={"box": "sent", "kind": "court_order", "status": ["complied"], "agency": "doc"},
        headers=world.auth("court-officer"),
    ).json()["items"]
    assert [row["id"] for row in filtered] == [world.a.order]
    forged = world.client.get(
        "/api/v1/instruments", params={"cursor": "AAAA"}, headers=world.auth("ice-officer")
    )
    assert forged.status_code == 422


def test_a_list_is_one_transaction_that_writes_nothing(world: World) -> None:
    """Authentication and the page share one connection and one transaction. With the session's
    activity recorded a moment ago the list writes nothing: no audit entry (a page carries no
    personal data, docs/api.md), no session touch, and never the audit chain's lock."""

    def listed() -> None:
        answer = world.client.get(
            "/api/v1/instruments", params={"box": "sent"}, headers=world.auth("ice-officer")
        )
        assert answer.status_code == 200, answer.text

    def audit_size() -> int:
        with engine.connect() as db:
            return int(db.scalar(select(func.count()).select_from(orm.audit_log)) or 0)

    engine = world.built.engine
    listed()  # records the session's activity, if the record was a minute old or more
    before = audit_size()
    checkouts: list[object] = []
    statements: list[str] = []

    def checkout(*_: object) -> None:
        checkouts.append(1)

    def executed(_c: object, _cur: object, statement: str, *_: object) -> None:
        statements.append(statement.strip().upper())

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        listed()
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", executed)
    assert len(checkouts) == 1
    queries = [s for s in statements if not s.startswith("BEGIN")]
    assert queries and all(s.startswith("SELECT") for s in queries), queries
    assert not any("ADVISORY" in s for s in queries)
    assert audit_size() == before


def _run(target: Any, n: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def _events(world: World, instrument_id: str) -> int:
    table = orm.instrument_events
    with world.built.engine.connect() as db:
        return int(
            db.scalar(select(func.count()).where(table.c.instrument_id == instrument_id)) or 0
        )

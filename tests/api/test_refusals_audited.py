"""Every refused request is on record, once (security.md rows 14 and 15): a body that does not
fit the schema, a route that does not exist, a method a route does not take, a body too large, a
caller not signed in, an instrument they may not see, a change its state does not allow; each
entry says it came in by the API and which client sent it. A refusal a service already recorded
is not recorded a second time."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lexdesk.adapters import orm
from tests.api.world import World

CLIENT = "refusal-probe/1.0 (lexdesk tests)"
BIG = b"{" + b" " * (1024 * 1024 + 10) + b"}"


def last_seq(world: World) -> int:
    with world.built.engine.connect() as db:
        return int(db.scalar(select(func.max(orm.audit_log.c.seq))) or 0)


def written_since(world: World, seq: int) -> list[Any]:
    log = orm.audit_log
    with world.built.engine.connect() as db:
        return list(db.execute(select(log).where(log.c.seq > seq).order_by(log.c.seq)))


def send(world: World, method: str, path: str, user: str | None, **kwargs: Any) -> int:
    headers = {"User-Agent": CLIENT, **(world.auth(user) if user else {})}
    answer = world.client.request(method, path, headers=headers, **kwargs)
    world.client.cookies.clear()
    return answer.status_code


@pytest.mark.parametrize(
    ("method", "path", "user", "kwargs", "status", "actor"),
    [
        # No route, no method, a body never read: nobody was signed in to name.
        ("GET", "/api/v1/no-such-thing", "ice-officer", {}, 404, "anonymous"),
        ("DELETE", "/api/v1/cases", "ice-officer", {}, 405, "anonymous"),
        ("POST", "/api/v1/instruments", "ice-officer", {"content": BIG}, 413, "anonymous"),
        ("POST", "/api/v1/instruments", "ice-officer", {"json": {}}, 422, "ice-officer"),
    ],
)
def test_a_refusal_no_service_saw_is_recorded_by_the_entry_point(
    world: World,
    method: str,
    path: str,
    user: str | None,
    kwargs: dict[str, Any],
    status: int,
    actor: str,
) -> None:
    before = last_seq(world)
    assert send(world, method, path, user, **kwargs) == status
    [entry] = written_since(world, before)
    assert (entry.action, entry.object_type, entry.detail["status"]) == (
        "api.refused",
        "request",
        status,
    )
    assert entry.detail["route"] == path and entry.object_id == f"{method} {path}"
    assert entry.actor == actor
    assert entry.outcome == ("denied" if status == 404 else "failure")
    assert (entry.component, entry.client) == ("api", CLIENT)


def test_the_entry_names_the_caller_and_the_route_with_its_ids(world: World) -> None:
    before = last_seq(world)
    path = f"/api/v1/instruments/{world.a.detainer}/determination"
    assert send(world, "POST", path, "doc-legal", json={"bogus": True}) == 422
    [entry] = written_since(world, before)
    assert (entry.actor, entry.agency) == ("doc-legal", "doc")
    assert entry.detail["route"] == "/api/v1/instruments/{instrument_id}/determination"
    assert entry.detail["ids"] == {"instrument_id": world.a.detainer}


@pytest.mark.parametrize(
    ("path", "method", "user", "status"),
    [
        # No credential: the API's guard records it.
        ("/api/v1/cases", "GET", None, 401),
        # Another side's instrument: the service records the denial itself.
        ("/api/v1/instruments/{b}", "GET", "ice-officer", 404),
        # An answered detainer acknowledged again: an illegal transition, on record by the
        # service.
        ("/api/v1/instruments/{a}/acknowledgement", "POST", "doc-officer", 409),
    ],
)
def test_a_refusal_a_service_recorded_is_on_record_once(
    world: World, path: str, method: str, user: str | None, status: int
) -> None:
    before = last_seq(world)
    target = path.format(a=world.a.detainer, b=world.b.detainer)
    kwargs: dict[str, Any] = {"json": {}} if method == "POST" else {}
    assert send(world, method, target, user, **kwargs) == status
    [entry] = written_since(world, before)
    assert entry.action != "api.refused" and entry.outcome in ("denied", "failure")
    assert (entry.component, entry.client) == ("api", CLIENT)


def test_a_change_carries_its_channel_and_its_receiving_agency(world: World) -> None:
    before = last_seq(world)
    body = {
        "kind": "notification_request",
        "addressee": "doc",
        "person": "nysid:12345679A",
        "actions": ["notify_release"],
        "warrant": "administrative",
    }
    assert send(world, "POST", "/api/v1/instruments", "ice-officer", json=body) == 201
    issued = [e for e in written_since(world, before) if e.action == "instrument.issue"]
    assert [(e.component, e.client, e.agency, e.receiving_agency) for e in issued] == [
        ("api", CLIENT, "ice", "doc")
    ]


def test_a_page_that_does_not_exist_is_on_record_as_the_web_refused_it(world: World) -> None:
    before = last_seq(world)
    assert send(world, "GET", "/no-such-page", None) == 404
    [entry] = written_since(world, before)
    assert (entry.action, entry.component, entry.client) == ("web.refused", "web", CLIENT)
    assert entry.object_id == "GET /no-such-page" and entry.outcome == "denied"

"""Hygiene (security.md rows 3, 9, 11, 26): headers, body ceiling, no identifiers in query
strings, no secrets in logs, protected fields, the session cookie and its end."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.domain.persons import IdentifierScheme
from tests.api.world import PASSWORD, World, sign_in_as

ALLOWED_QUERY = {
    *("box", "status", "kind", "due_before", "agency", "sort", "limit", "cursor", "unread"),
}
PERSON = {
    "family_name": "Sample",
    "given_name": "Riley",
    "arrested_on": "2020-01-10",
    "booked_at": "2020-01-10T20:00:00Z",
    "identifiers": {"booking_number": "B-0001"},
}


def test_every_api_answer_carries_the_security_headers(world: World) -> None:
    client, auth = world.client, world.auth("ice-officer")
    for answer in (
        client.get(f"/api/v1/instruments/{world.a.detainer}", headers=auth),
        client.get(f"/api/v1/instruments/{world.b.detainer}", headers=auth),
        client.get("/api/v1/instruments"),
        client.get("/api/v1/instruments", params={"limit": 0}, headers=auth),
    ):
        headers = answer.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"


def test_bodies_over_one_mib_get_413(world: World) -> None:
    huge = b'{"reason": "' + b"x" * (1024 * 1024) + b'"}'
    path = f"/api/v1/instruments/{world.a.detainer}/withdrawal"
    auth = world.auth("ice-officer") | {"content-type": "application/json"}
    assert world.client.post(path, content=huge, headers=auth).status_code == 413

    def chunks() -> Iterator[bytes]:
        yield huge[:1000]
        yield huge[1000:]

    chunked = world.client.post(path, content=chunks(), headers=auth)
    assert chunked.status_code == 413 and chunked.json()["detail"].startswith("the request body")


def test_no_query_string_can_carry_a_personal_identifier(world: World) -> None:
    schema = world.client.get("/api/v1/openapi.json").json()
    names = {
        parameter["name"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert names <= ALLOWED_QUERY
    assert not names & ({s.value for s in IdentifierScheme} | {"name", "dob", "person"})


def test_no_secret_reaches_a_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client, username = world.client, "usao-supervisor"
    ticket = client.post(
        "/api/v1/session",
        json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
    )
    world.clock.advance(seconds=30)  # the code of the step the world signed in with is spent
    code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
    signed_in = client.post(
        "/api/v1/session/totp", json={"ticket": ticket.json()["ticket"], "code": code}
    )
    token = signed_in.json()["token"]
    client.get("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    client.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    client.cookies.clear()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (PASSWORD, ticket.json()["ticket"], token, world.secrets[username], code):
        assert secret not in logged
    with world.built.engine.connect() as db:
        trail = " ".join(str(tuple(r)) for r in db.execute(select(orm.audit_log)))
    assert PASSWORD not in trail and token not in trail and code not in trail


def test_no_name_or_record_reaches_a_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """A booking, the same booking again (a conflict the database refuses), a search and a
    refused body, each carrying a name, an identifier and a record: none of them in a log."""
    caplog.set_level(logging.DEBUG)
    client, auth = world.client, world.auth("doc-officer")
    marked = {
        "family_name": "Quillfeather",
        "given_name": "Ondine",
        "arrested_on": "2020-01-10",
        "booked_at": "2020-01-10T20:00:00Z",
        "identifiers": {"booking_number": "B-7771"},
        "record": {"home_address": "17 Lanternwick Row"},
    }
    assert client.post("/api/v1/persons", json=marked, headers=auth).status_code == 201
    client.post("/api/v1/persons", json=marked, headers=auth)
    client.get("/api/v1/persons", params={"q": "Quillfeather"}, headers=auth)
    client.post("/api/v1/persons", json=marked | {"booked_at": "Quillfeather"}, headers=auth)
    # What the desk logged, not the test's own HTTP client (httpx logs the URLs it requests).
    desk = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "".join(r.getMessage() + str(r.exc_info) for r in desk)
    for marker in ("Quillfeather", "Ondine", "B-7771", "Lanternwick"):
        assert marker not in logged


def test_protected_fields_cannot_be_written(world: World) -> None:
    auth = world.auth("doc-officer")
    count = _persons(world)
    for extra in ({"owner_agency_id": "doc-b"}, {"owner_agency": "doc-b"}, {"id": "per-1"}):
        answer = world.client.post("/api/v1/persons", json=PERSON | extra, headers=auth)
        assert answer.status_code == 422, answer.text
    assert _persons(world) == count
    status = {"reason": "x", "status": "complied"}
    path = f"/api/v1/instruments/{world.a.detainer}/withdrawal"
    assert (
        world.client.post(path, json=status, headers=world.auth("ice-officer")).status_code == 422
    )
    add = {"username": "new-one", "display_name": "New", "roles": ["officer"], "password": PASSWORD}
    answer = world.client.post(
        "/api/v1/users", json=add | {"agency_id": "doc-b"}, headers=world.auth("doc-admin")
    )
    assert answer.status_code == 422


def test_a_custodian_books_and_reads_its_people_and_nobody_else_does(world: World) -> None:
    booked = world.client.post("/api/v1/persons", json=PERSON, headers=world.auth("doc-officer"))
    assert booked.status_code == 201 and booked.json()["owner_agency"] == "doc"
    refused = world.client.post("/api/v1/persons", json=PERSON, headers=world.auth("ice-officer"))
    assert refused.status_code == 403
    lookup = {"scheme": "booking_number", "value": "B-0001"}
    found = world.client.post(
        "/api/v1/person-lookups", json=lookup, headers=world.auth("doc-legal")
    )
    assert found.json()["id"] == booked.json()["id"]
    hidden = world.client.post(
        "/api/v1/person-lookups", json=lookup, headers=world.auth("ice-legal")
    )
    assert hidden.status_code == 404


def test_the_requester_sees_only_what_was_disclosed(world: World) -> None:
    to_court = world.client.get(
        f"/api/v1/instruments/{world.a.order}/disclosure", headers=world.auth("court-officer")
    ).json()
    assert to_court["fields"] == {}  # the order named no production to the court
    to_issuer = world.client.get(
        f"/api/v1/instruments/{world.a.order}/disclosure", headers=world.auth("ice-officer")
    ).json()
    assert to_issuer["fields"] == {"home_address": "1 Fictional Way"}
    merged = world.client.get(
        f"/api/v1/persons/{world.a.person}/disclosures", headers=world.auth("ice-officer")
    ).json()
    assert set(merged["fields"]) == {"release_date", "home_address"}
    assert "work_address" not in str(merged) and "Jordan" not in str(merged)


def test_the_session_cookie_and_the_end_of_a_session(world: World) -> None:
    username = "court-supervisor"
    ticket = world.client.post(
        "/api/v1/session",
        json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
    )
    world.clock.advance(seconds=30)  # the code of the step the world signed in with is spent
    code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
    answer = world.client.post(
        "/api/v1/session/totp", json={"ticket": ticket.json()["ticket"], "code": code}
    )
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-lexdesk-api=")
    assert {"Secure", "HttpOnly", "SameSite=strict", "Path=/"} <= {
        p.strip() for p in cookie.split(";")
    }
    assert world.client.get("/api/v1/session").json()["username"] == username  # by cookie
    assert world.client.delete("/api/v1/session").status_code == 204
    world.client.cookies.set("__Host-lexdesk-api", answer.json()["token"])
    assert world.client.get("/api/v1/session").status_code == 401  # replayed after sign-out
    world.client.cookies.clear()


def test_thirty_idle_minutes_end_a_session(world: World) -> None:
    """Last in this module: it moves the clock past every session's idle limit. Activity is
    written at most once a minute (docs/api.md), so the request that the 30 minutes count
    from comes a minute after the one before it, and is on record."""
    user = "ice-supervisor"
    assert world.client.get("/api/v1/session", headers=world.auth(user)).status_code == 200
    world.clock.advance(minutes=1)
    assert world.client.get("/api/v1/session", headers=world.auth(user)).status_code == 200
    world.clock.advance(minutes=29, seconds=59)
    assert world.client.get("/api/v1/session", headers=world.auth(user)).status_code == 200
    world.clock.advance(minutes=30, seconds=1)
    expired = world.client.get("/api/v1/session", headers=world.auth(user))
    assert expired.status_code == 401 and "30 minutes" in expired.json()["detail"]
    world.tokens[user] = sign_in_as(world, user)


def _persons(world: World) -> Any:
    with world.built.engine.connect() as db:
        return db.scalar(select(func.count()).select_from(orm.persons))

"""The edges of who may call the API, over the real app (``entrypoints/api/security.py``): the
session cookie instead of the Authorization header, the list that is read in the
transaction that authenticated it, API tokens at a person's task, and signing out twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.entrypoints.api.security import NOT_SIGNED_IN, SESSION_COOKIE
from lexdesk.services import api_tokens
from tests.api.world import World, sign_in_as

LIST = "/api/v1/instruments"


def last_audit(world: World, action: str) -> Any:
    table = orm.audit_log
    with world.built.engine.connect() as db:
        return db.execute(
            select(table).where(table.c.action == action).order_by(table.c.seq.desc())
        ).first()


def count_audit(world: World, action: str) -> int:
    table = orm.audit_log
    with world.built.engine.connect() as db:
        return len(db.execute(select(table.c.seq).where(table.c.action == action)).all())


def token_for(world: World, *scopes: str) -> tuple[str, str]:
    """An API token of ``ice`` with ``scopes``: the secret and its id."""
    secret, token = api_tokens.create_api_token(
        world.built.desk,
        api_tokens.CreateApiToken("ice", "case system", scopes, timedelta(days=1)),
    )
    return secret, token.id


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_the_session_cookie_is_a_credential_too(world: World) -> None:
    world.client.cookies.set(SESSION_COOKIE, world.tokens["ice-officer"])
    try:
        one = world.client.get(f"{LIST}/{world.a.detainer}")
        sent = world.client.get(LIST, params={"box": "sent"})
    finally:
        world.client.cookies.clear()
    assert one.status_code == 200 and one.json()["issuer"] == "ice"
    assert sent.status_code == 200 and world.a.detainer in {i["id"] for i in sent.json()["items"]}


def test_the_list_is_read_only_by_a_role_that_grants_it(world: World) -> None:
    mine = world.client.get(LIST, params={"box": "sent"}, headers=world.auth("ice-officer"))
    assert mine.status_code == 200
    listed = {i["id"] for i in mine.json()["items"]}
    assert world.a.detainer in listed and world.b.detainer not in listed
    refused = world.client.get(LIST, headers=world.auth("ice-auditor"))
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("ice-auditor may not instrument:read")
    row = last_audit(world, "api.list_instruments")
    assert (row.actor, row.agency, row.outcome) == ("ice-auditor", "ice", "denied")
    assert row.detail["reason"] == "role does not grant it"


def test_the_list_without_a_credential_is_refused_on_record(world: World) -> None:
    answer = world.client.get(LIST, params={"box": "sent"})
    assert answer.status_code == 401 and answer.json()["detail"] == NOT_SIGNED_IN
    assert answer.headers["www-authenticate"] == "Bearer"
    row = last_audit(world, "api.list_instruments")
    assert (row.actor, row.outcome, row.detail["reason"]) == (
        "anonymous",
        "failure",
        "no credential",
    )


def test_a_token_reads_the_list_within_its_scope_and_its_agency(world: World) -> None:
    secret, _ = token_for(world, "instruments:read")
    answer = world.client.get(LIST, params={"box": "sent"}, headers=bearer(secret))
    assert answer.status_code == 200
    listed = {i["id"] for i in answer.json()["items"]}
    assert world.a.detainer in listed and world.b.detainer not in listed
    other, other_id = token_for(world, "cases:read")
    refused = world.client.get(LIST, headers=bearer(other))
    assert refused.status_code == 403 and "does not allow instruments:read" in refused.text
    row = last_audit(world, "token.use")
    assert (row.actor, row.outcome, row.detail) == (
        other_id,
        "denied",
        {"reason": "scope instruments:read not granted"},
    )


def test_a_live_token_is_refused_a_persons_task_and_a_dead_one_is_not_let_in(
    world: World,
) -> None:
    withdraw = f"{LIST}/{world.a.request}/withdrawal"
    body = {"reason": "Not any more."}
    secret, token_id = token_for(world, "instruments:read", "instruments:write")
    live = world.client.post(withdraw, json=body, headers=bearer(secret))
    assert live.status_code == 403
    assert live.json()["detail"].startswith("instrument:withdraw is for a signed-in person")
    row = last_audit(world, "api.withdraw_instrument")
    assert (row.actor, row.outcome) == ("anonymous", "denied")
    assert row.detail["reason"] == "API token used for a person's task"
    api_tokens.revoke_api_token(world.built.desk, api_tokens.RevokeApiToken(token_id))
    dead = world.client.post(withdraw, json=body, headers=bearer(secret))
    assert dead.status_code == 401 and dead.json()["detail"] == api_tokens.NOT_USABLE
    row = last_audit(world, "token.use")
    assert (row.actor, row.outcome) == (token_id, "denied")
    assert row.detail == {"reason": "unknown, expired or revoked"}
    unknown = world.client.post(withdraw, json=body, headers=bearer("lxd_never-made"))
    assert unknown.status_code == 401
    assert (last_audit(world, "token.use").actor, last_audit(world, "token.use").outcome) == (
        "anonymous",
        "failure",
    )
    # Nothing was withdrawn by any of them.
    instrument = world.client.get(f"{LIST}/{world.a.request}", headers=world.auth("ice-officer"))
    assert instrument.json()["status"] != "withdrawn"


def test_signing_out_twice_is_harmless_and_on_record_once(world: World) -> None:
    world.clock.advance(seconds=30)  # a code of its own: the world's sign-in spent this one
    token = sign_in_as(world, "ice-legal")
    before = count_audit(world, "logout")
    first = world.client.delete("/api/v1/session", headers=bearer(token))
    again = world.client.delete("/api/v1/session", headers=bearer(token))
    assert (first.status_code, again.status_code) == (204, 204)
    assert count_audit(world, "logout") == before + 1
    row = last_audit(world, "logout")
    assert (row.actor, row.agency, row.outcome) == ("ice-legal", "ice", "success")
    answer = world.client.get(LIST, headers=bearer(token))
    assert answer.status_code == 401
    assert answer.json()["detail"] == "not signed in: sign in with username, password and code"
    assert last_audit(world, "session.refused").actor == "anonymous"

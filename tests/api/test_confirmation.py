"""Confirming it's you in the API (security.md row 10; CJIS IA-11, ASVS 7.5.1): privileged
routes answer 403 until the session confirmed within 5 minutes; one's own password changes
with the current one, in a confirmed session, and the other sessions end."""

from __future__ import annotations

import pyotp

from lexdesk.services.privileges import CONFIRM_FIRST
from tests.api.world import PASSWORD, World, confirm_as, sign_in_as

NEW_PASSWORD = "a brand new passphrase 2020"


def test_privileged_routes_answer_403_until_the_session_confirms(world: World) -> None:
    client, admin = world.client, world.auth("court-admin")
    routes = (
        "/api/v1/users/court-officer/unlock",
        "/api/v1/users/court-officer/mfa-reset",
        "/api/v1/users/court-officer/disable",
    )
    for path in routes:
        refused = client.post(path, headers=admin)
        assert refused.status_code == 403 and refused.json() == {"detail": CONFIRM_FIRST}
    new = {"username": "court-new", "display_name": "N", "roles": ["legal"], "password": PASSWORD}
    assert client.post("/api/v1/users", json=new, headers=admin).status_code == 403
    confirm_as(world, "court-admin")
    assert client.post(routes[1], headers=admin).status_code == 200
    assert client.post("/api/v1/users", json=new, headers=admin).status_code == 201
    world.clock.advance(minutes=5)
    assert client.post(routes[0], headers=admin).status_code == 403


def test_a_wrong_code_confirms_nothing(world: World) -> None:
    client = world.client
    world.clock.advance(seconds=30)
    body = {"password": PASSWORD, "code": "000000"}
    wrong = client.post("/api/v1/session/confirm", json=body, headers=world.auth("usao-admin"))
    assert wrong.status_code == 401 and "code is wrong" in wrong.json()["detail"]
    unlock = client.post("/api/v1/users/usao-officer/unlock", headers=world.auth("usao-admin"))
    assert unlock.status_code == 403


def test_one_changes_ones_own_password_and_the_other_sessions_end(world: World) -> None:
    client, user = world.client, "court-legal"
    world.clock.advance(seconds=30)
    other = sign_in_as(world, user)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    refused = client.post("/api/v1/session/password", json=body, headers=world.auth(user))
    assert refused.status_code == 403 and refused.json() == {"detail": CONFIRM_FIRST}
    confirm_as(world, user)
    weak = body | {"new_password": "password"}
    assert (
        client.post("/api/v1/session/password", json=weak, headers=world.auth(user)).status_code
        == 422
    )
    changed = client.post("/api/v1/session/password", json=body, headers=world.auth(user))
    assert changed.status_code == 200 and changed.json() == {"sessions_ended": 1}
    assert client.get("/api/v1/session", headers=world.auth(user)).status_code == 200
    stale = client.get("/api/v1/session", headers={"Authorization": f"Bearer {other}"})
    assert stale.status_code == 401
    world.clock.advance(seconds=30)
    ticket = client.post(
        "/api/v1/session",
        json={"username": user, "password": NEW_PASSWORD, "acknowledge_notice": True},
    )
    assert ticket.status_code == 200
    code = pyotp.TOTP(world.secrets[user]).at(world.clock.now())
    assert code  # the new password opens the first step; the code step is as before

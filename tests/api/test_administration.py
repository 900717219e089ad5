"""Administration without dead ends in the API: enabling, unlocking that says what is left,
never disabling oneself or the last administrator, and roles granted with a second
administrator's approval (docs/adr/0013-separation-of-duties.md)."""

from __future__ import annotations

from lexdesk.services import accounts, agencies
from tests.api.world import PASSWORD, World, confirm_as, sign_in_as


def second_admin(world: World, code: str) -> str:
    """Another administrator of the agency, signed in and confirmed."""
    username = f"{code}-admin2"
    if username not in world.tokens:
        command = agencies.AddUser(username, code, "Second Admin", ("admin",))
        world.secrets[username] = accounts.add_account(world.built.desk, command, PASSWORD)[
            1
        ].totp_secret
        world.clock.advance(seconds=30)
        world.tokens[username] = sign_in_as(world, username)
    confirm_as(world, username)
    return username


def test_disable_enable_and_unlock_never_leave_a_dead_end(world: World) -> None:
    client, admin = world.client, world.auth("court-admin")
    confirm_as(world, "court-admin")
    own = client.post("/api/v1/users/court-admin/disable", headers=admin)
    assert own.status_code == 403
    assert own.json()["detail"].startswith("you cannot disable your own account")
    not_locked = client.post("/api/v1/users/court-officer/unlock", headers=admin)
    assert not_locked.status_code == 422
    assert not_locked.json() == {"detail": "user court-officer is not locked: nothing to unlock"}
    assert client.post("/api/v1/users/court-officer/disable", headers=admin).status_code == 204
    again = client.post("/api/v1/users/court-officer/disable", headers=admin)
    assert again.status_code == 422 and "already disabled" in again.json()["detail"]
    enabled = client.post("/api/v1/users/court-officer/enable", headers=admin)
    assert enabled.status_code == 200
    assert enabled.json() == {"username": "court-officer", "active": True, "locked": False}
    elsewhere = client.post("/api/v1/users/usao-officer/enable", headers=admin)
    assert elsewhere.status_code == 404


def test_a_disabled_administrator_acts_no_more_and_nobody_changes_their_own_roles(
    world: World,
) -> None:
    client = world.client
    other = second_admin(world, "ice")
    confirm_as(world, "ice-admin")
    disabled = client.post("/api/v1/users/ice-admin2/disable", headers=world.auth("ice-admin"))
    assert disabled.status_code == 204
    last = client.post("/api/v1/users/ice-admin/disable", headers=world.auth(other))
    assert last.status_code == 401  # the disabled administrator's session ended
    body = {"roles": ["auditor"]}
    kept = client.put("/api/v1/users/ice-admin/roles", json=body, headers=world.auth("ice-admin"))
    assert kept.status_code == 403  # nobody changes their own roles
    assert "your own account" in kept.json()["detail"]


def test_a_lawyer_is_granted_only_on_a_second_administrators_approval(world: World) -> None:
    client, first = world.client, world.auth("usao-admin")
    second = second_admin(world, "usao")
    confirm_as(world, "usao-admin")
    body = {"roles": ["officer", "legal", "supervisor"], "reason": "covers the court calendar"}
    changed = client.put("/api/v1/users/usao-officer/roles", json=body, headers=first)
    assert changed.status_code == 200, changed.text
    assert changed.json()["user"]["roles"] == ["officer", "supervisor"]
    pending = changed.json()["pending"]
    assert pending["roles"] == ["legal"] and pending["status"] == "pending"
    listed = client.get("/api/v1/role-grants", headers=first).json()
    assert [g["id"] for g in listed] == [pending["id"]]
    path = f"/api/v1/role-grants/{pending['id']}"
    own = client.post(f"{path}/approve", json={}, headers=first)
    assert own.status_code == 403 and "another administrator" in own.json()["detail"]
    outsider = client.post(f"{path}/approve", json={}, headers=world.auth("court-admin"))
    assert outsider.status_code == 404
    approved = client.post(f"{path}/approve", json={"reason": "ok"}, headers=world.auth(second))
    assert approved.status_code == 200
    assert approved.json()["user"]["roles"] == ["legal", "officer", "supervisor"]
    twice = client.post(f"{path}/refuse", json={}, headers=world.auth(second))
    assert twice.status_code == 422 and "already approved" in twice.json()["detail"]
    assert client.get("/api/v1/role-grants", headers=first).json() == []


def test_a_new_account_asks_for_its_legal_role(world: World) -> None:
    client, first = world.client, world.auth("usao-admin")
    second = second_admin(world, "usao")
    confirm_as(world, "usao-admin")
    new = {"username": "usao-new", "display_name": "N", "roles": ["legal"], "password": PASSWORD}
    made = client.post("/api/v1/users", json=new, headers=first)
    assert made.status_code == 201
    assert made.json()["user"]["roles"] == [] and made.json()["pending_roles"] == ["legal"]
    (grant,) = client.get("/api/v1/role-grants", headers=world.auth(second)).json()
    refused = client.post(
        f"/api/v1/role-grants/{grant['id']}/refuse",
        json={"reason": "not approved by the chief"},
        headers=world.auth(second),
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["decided_by"] == second

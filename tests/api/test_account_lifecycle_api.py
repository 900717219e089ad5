"""The account lifecycle over the API (docs/accounts.md): an administrator's new account (or
reset one) comes with a one-time enrolment code instead of a TOTP key; its holder gives the code
after the password (``POST /session/enrolment``) to get the key; a temporary account's end date;
a username freed less than 365 days ago refused with a 422 that says why."""

from __future__ import annotations

import pyotp

from lexdesk.services import agencies, enrolment
from lexdesk.services.worker import Worker
from tests.api.world import PASSWORD, World, confirm_as

CODE = r"^([A-Z2-7]{4}-){6}[A-Z2-7]{2}$"


def _password_step(world: World, username: str) -> str:
    answer = world.client.post(
        "/api/v1/session",
        json={"username": username, "password": PASSWORD, "acknowledge_notice": True},
    )
    assert answer.status_code == 200, answer.text
    ticket: str = answer.json()["ticket"]
    return ticket


def test_a_new_account_enrols_with_the_password_and_the_code_given_apart(world: World) -> None:
    client, admin = world.client, world.auth("court-admin")
    confirm_as(world, "court-admin")
    new = {"username": "court-clerk", "display_name": "A Clerk", "roles": ["supervisor"],
           "password": PASSWORD, "ends_on": "2020-06-30"}  # fmt: skip
    made = client.post("/api/v1/users", json=new, headers=admin)
    assert made.status_code == 201, made.text
    shown = made.json()
    assert "totp_secret" not in shown and shown["user"]["username"] == "court-clerk"
    code = shown["enrolment_code"]
    assert shown["enrolment_code_expires_at"].startswith("2020-01-20T15:")  # 72 hours
    ticket = _password_step(world, "court-clerk")
    early = client.post("/api/v1/session/totp", json={"ticket": ticket, "code": "123456"})
    assert early.status_code == 401  # no authenticator without the enrolment code
    wrong = client.post(
        "/api/v1/session/enrolment", json={"ticket": ticket, "enrolment_code": "AAAA-BBBB"}
    )
    assert wrong.status_code == 401 and "enrolment code is wrong" in wrong.json()["detail"]
    key = client.post("/api/v1/session/enrolment", json={"ticket": ticket, "enrolment_code": code})
    assert key.status_code == 200, key.text
    assert key.json()["totp_uri"].startswith("otpauth://totp/lexdesk:court-clerk")
    totp = pyotp.TOTP(key.json()["totp_secret"]).at(world.clock.now())
    signed = client.post("/api/v1/session/totp", json={"ticket": ticket, "code": totp})
    assert signed.status_code == 200 and signed.json()["username"] == "court-clerk"
    client.cookies.clear()
    again = client.post(
        "/api/v1/session/enrolment",
        json={"ticket": _password_step(world, "court-clerk"), "enrolment_code": code},
    )
    assert again.status_code == 401  # spent


def test_a_reset_answers_a_new_enrolment_code(world: World) -> None:
    confirm_as(world, "usao-admin")
    reset = world.client.post(
        "/api/v1/users/usao-auditor/mfa-reset", headers=world.auth("usao-admin")
    )
    assert reset.status_code == 200, reset.text
    assert set(reset.json()) == {"user", "enrolment_code", "enrolment_code_expires_at",
                                 "pending_roles"}  # fmt: skip
    assert reset.json()["user"]["username"] == "usao-auditor"


def test_a_username_freed_by_a_removal_is_refused_for_a_year(world: World) -> None:
    desk = world.built.desk
    today = world.clock.now().date()
    command = agencies.AddUser("doc-temp", "doc", "Temp", ("officer",), "test", today)
    enrolment.create_account(desk, command, PASSWORD)
    world.clock.advance(days=1)
    assert Worker(desk, {}, name="test-worker").sweep().accounts_removed == 1
    world.tokens["doc-admin"] = _signed_in_again(world, "doc-admin")
    confirm_as(world, "doc-admin")
    new = {"username": "doc-temp", "display_name": "Someone", "roles": ["supervisor"],
           "password": PASSWORD}  # fmt: skip
    refused = world.client.post("/api/v1/users", json=new, headers=world.auth("doc-admin"))
    assert refused.status_code == 422, refused.text
    assert "not reused for 365 days" in refused.json()["detail"]
    listed = world.client.get("/api/v1/users?limit=200", headers=world.auth("doc-admin"))
    assert all(not u["username"].startswith("removed-") for u in listed.json()["items"])


def _signed_in_again(world: World, username: str) -> str:
    """A day went by: the sessions of the world ended after 12 hours."""
    from tests.api.world import sign_in_as

    world.clock.advance(seconds=30)
    return sign_in_as(world, username)

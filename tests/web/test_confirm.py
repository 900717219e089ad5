"""Confirm it's you before privileged pages and forms, and the password change page
(security.md row 10; CJIS IA-11, ASVS 7.5.1)."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient

from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story

NEW_PASSWORD = "a fresh passphrase for 2020"


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_privileged_pages_send_the_administrator_to_confirm_and_back(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-admin")
    for page in ("/admin/users", "/admin/tokens", "/account/password"):
        sent = client.get(page)
        assert sent.status_code == 303 and sent.headers["location"] == f"/confirm?next={page}"
    shown = client.get("/confirm?next=/admin/users")
    assert "Confirm it's you" in shown.text and 'autocomplete="one-time-code"' in shown.text
    clock.advance(seconds=30)
    form = {"csrf": _csrf(shown.text), "next": "/admin/users", "password": story.password}
    wrong = client.post("/confirm", data=form | {"code": "000000"})
    assert "code is wrong" in sent_back(client, wrong).text
    forged = client.post("/confirm", data=form | {"csrf": "x", "code": "000000"})
    assert forged.status_code == 403
    confirm(client, story, clock, "nyc-doc-admin", "/admin/users")
    assert client.get("/admin/users").status_code == 200
    clock.advance(minutes=5)
    token = _csrf(client.get("/confirm?next=/admin/users").text)
    late = client.post("/admin/users/nyc-doc-officer/disable", data={"csrf": token})
    assert late.status_code == 303 and late.headers["location"] == "/confirm?next=/admin/users"


def test_the_way_back_stays_on_this_site(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-admin")
    clock.advance(seconds=30)
    page = client.get("/confirm?next=//evil.example/")
    assert 'name="next" value="/"' in page.text
    code = pyotp.TOTP(story.secrets["nyc-doc-admin"]).at(clock.now())
    form = {"csrf": _csrf(page.text), "next": "https://evil.example/", "code": code}
    answer = client.post("/confirm", data=form | {"password": story.password})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_user_changes_their_password_and_their_other_sessions_end(
    client: TestClient, web_app: object, story: Story, clock: FakeClock
) -> None:
    other = TestClient(web_app, base_url="https://testserver", follow_redirects=False)  # type: ignore[arg-type]
    sign_in(other, story, clock, "nyc-doc-officer")
    clock.advance(seconds=30)
    sign_in(client, story, clock, "nyc-doc-officer")
    confirm(client, story, clock, "nyc-doc-officer", "/account/password")
    page = client.get("/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    form = {"csrf": _csrf(page.text), "current_password": story.password}
    differ = form | {"new_password": NEW_PASSWORD, "repeat_password": "something else"}
    assert (
        "type the same one twice"
        in sent_back(client, client.post("/account/password", data=differ)).text
    )
    weak = form | {"new_password": "short", "repeat_password": "short"}
    refused = client.post("/account/password", data=weak)
    assert "at least 8" in sent_back(client, refused).text
    changed = form | {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    done = client.post("/account/password", data=changed)
    assert done.status_code == 303 and done.headers["location"] == "/account/password?done=1"
    assert "Your password is changed" in client.get(done.headers["location"]).text
    assert other.get("/").headers["location"].startswith("/login")

"""The edges of signing in on the web pages (``entrypoints/web/auth.py``, ``sessions.py``): a
form posted without its CSRF token or without the sign-in it belongs to goes back to the
start and checks nothing, a wrong password is answered on the form, and a developer's
``localhost`` gets the cookie a browser keeps over plain http."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.services import accounts, agencies, enrolment
from tests.web.story import AGENCIES, PASSWORD


@pytest.fixture
def jail(built: App) -> App:
    """The story's jail and one officer of it: all these pages need (the whole story takes
    seconds to make, for a person and fifteen accounts nothing here looks at)."""
    code, name, kind, jurisdiction, pack = AGENCIES[1]
    agencies.register_agency(
        built.desk, agencies.RegisterAgency(code, name, kind, jurisdiction, pack)
    )
    command = agencies.AddUser("nyc-doc-officer", code, "Test officer", ("officer",))
    accounts.add_account(built.desk, command, PASSWORD)
    return built


def _csrf(text: str) -> str:
    return text.split('name="csrf" value="')[1].split('"')[0]


def _audit(built: App, action: str) -> list[Any]:
    table = orm.audit_log
    with built.engine.connect() as db:
        return list(db.execute(select(table).where(table.c.action == action)))


def _password_step(client: TestClient, username: str, password: str) -> None:
    form = {
        "csrf": _csrf(client.get("/login").text),
        "acknowledge": "yes",
        "username": username,
        "password": password,
    }
    assert client.post("/login", data=form).headers["location"] == "/login/code"


def test_a_password_posted_without_the_forms_token_is_never_checked(
    client: TestClient, jail: App
) -> None:
    client.get("/login")  # the pre-session cookie, but not the token of its form
    form = {
        "csrf": "0" * 64,
        "acknowledge": "yes",
        "username": "nyc-doc-officer",
        "password": PASSWORD,
    }
    answer = client.post("/login", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert "set-cookie" not in answer.headers  # no sign-in ticket
    assert _audit(jail, "login.password") == []


def test_a_wrong_password_is_answered_on_the_form_keeping_the_name(
    client: TestClient, jail: App
) -> None:
    form = {
        "csrf": _csrf(client.get("/login").text),
        "acknowledge": "yes",
        "username": "nyc-doc-officer",
        "password": "not the password at all",
    }
    answer = client.post("/login", data=form)
    assert answer.status_code == 400
    assert accounts.WRONG_CREDENTIALS in answer.text
    assert 'value="nyc-doc-officer"' in answer.text
    assert _csrf(answer.text) == form["csrf"]  # the same pre-session: try again on this page
    [refusal] = _audit(jail, "login.password")
    assert (refusal.actor, refusal.outcome) == ("nyc-doc-officer", "failure")
    assert refusal.detail["step"] == "password"


def test_the_later_steps_without_a_sign_in_go_back_to_the_start(
    client: TestClient, built: App
) -> None:
    for answer in (
        client.get("/login/code"),
        client.post("/login/code", data={"csrf": "0" * 64, "code": "123456"}),
        client.post("/login/enrol", data={"csrf": "0" * 64, "enrolment_code": "ABCD"}),
    ):
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert _audit(built, "login.code") == [] and _audit(built, enrolment.ENROL) == []


def test_a_code_or_an_enrolment_code_without_the_forms_token_is_never_checked(
    client: TestClient, jail: App
) -> None:
    command = agencies.AddUser("nyc-doc-newcomer", "nyc-doc", "A Newcomer", ("officer",))
    _, issued = enrolment.create_account(jail.desk, command, PASSWORD)
    _password_step(client, "nyc-doc-newcomer", PASSWORD)
    refused = client.post("/login/enrol", data={"csrf": "0" * 64, "enrolment_code": issued.code})
    assert (refused.status_code, refused.headers["location"]) == (303, "/login")
    assert _audit(jail, enrolment.ENROL) == []
    page = client.get("/login/code")  # the sign-in still waits for its enrolment code
    assert page.status_code == 200 and 'name="enrolment_code"' in page.text
    code = client.post("/login/code", data={"csrf": "0" * 64, "code": "123456"})
    assert (code.status_code, code.headers["location"]) == (303, "/login")
    assert _audit(jail, "login.code") == []
    taken = client.post(
        "/login/enrol", data={"csrf": _csrf(page.text), "enrolment_code": issued.code}
    )
    assert (taken.status_code, taken.headers["location"]) == (303, "/login/code")
    assert [row.outcome for row in _audit(jail, enrolment.ENROL)] == ["success"]


def test_plain_http_to_localhost_gets_the_local_cookie(web_app: FastAPI) -> None:
    local = TestClient(web_app, base_url="http://localhost:8000")
    cookie = local.get("/login").headers["set-cookie"]
    assert cookie.startswith("lexdesk-local-pre=") and "secure" not in cookie.lower()

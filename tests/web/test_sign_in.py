"""Signing in and out of the web pages (security.md rows 9-12, 26)."""

from __future__ import annotations

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.services import agencies, enrolment
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story

AC_8 = (
    "You are accessing a restricted information system.",
    "System usage may be monitored, recorded, and subject to audit.",
    "Unauthorized use of the system is prohibited and may be subject to criminal and civil"
    " penalties.",
    "Use of the system indicates consent to monitoring and recording.",
)


def _csrf(text: str) -> str:
    return text.split('name="csrf" value="')[1].split('"')[0]


def test_login_page_shows_the_four_system_use_statements(client: TestClient) -> None:
    page = client.get("/login")
    assert all(statement in page.text for statement in AC_8)
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_login_without_acknowledging_the_notice_is_refused(
    client: TestClient, story: Story
) -> None:
    csrf = _csrf(client.get("/login").text)
    form = {"csrf": csrf, "username": "nyc-doc-officer", "password": story.password}
    refused = client.post("/login", data=form)
    assert refused.status_code == 400
    assert "Acknowledge the system-use notice" in refused.text


def test_first_sign_in_enrols_the_authenticator_then_opens_a_secure_session(
    client: TestClient, built: App, story: Story, clock: FakeClock
) -> None:
    command = agencies.AddUser("nyc-doc-clerk", "nyc-doc", "A Clerk", ("officer",))
    _, issued = enrolment.create_account(built.desk, command, story.password)
    csrf = _csrf(client.get("/login").text)
    form = {"csrf": csrf, "acknowledge": "yes", "username": "nyc-doc-clerk",
            "password": story.password}  # fmt: skip
    client.post("/login", data=form)
    asked = client.get("/login/code")  # the password alone shows no key: the code first
    assert "Enrolment code" in asked.text and "data:image/svg+xml" not in asked.text
    wrong = client.post("/login/enrol", data={"csrf": _csrf(asked.text), "enrolment_code": "X"})
    assert wrong.status_code == 400 and "the enrolment code is wrong" in wrong.text
    right = {"csrf": _csrf(wrong.text), "enrolment_code": issued.code.lower()}
    assert client.post("/login/enrol", data=right).headers["location"] == "/login/code"
    enrol = client.get("/login/code")
    assert "data:image/svg+xml" in enrol.text
    seed = enrol.text.split('id="totp-secret">')[1].split("<")[0]
    code = pyotp.TOTP(seed).at(clock.now())
    signed = client.post("/login/code", data={"csrf": _csrf(enrol.text), "code": code})
    assert signed.status_code == 303 and client.cookies.get("__Host-lexdesk")
    home = client.get("/")
    assert home.status_code == 200 and "Instruments addressed to" in home.text


def test_an_account_made_by_the_seeder_signs_in_without_an_enrolment_step(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    assert client.get("/").status_code == 200


def test_session_cookie_is_host_prefixed_secure_httponly_strict(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    csrf = _csrf(client.get("/login").text)
    form = {
        "csrf": csrf,
        "acknowledge": "yes",
        "username": "ice-nyc-officer",
        "password": story.password,
    }
    client.post("/login", data=form)
    code = client.get("/login/code")
    import pyotp

    answer = client.post(
        "/login/code",
        data={
            "csrf": _csrf(code.text),
            "code": pyotp.TOTP(story.secrets["ice-nyc-officer"]).at(clock.now()),
        },
    )
    set_cookie = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    session = next(v for v in set_cookie if v.startswith("__Host-lexdesk="))
    assert all(
        flag in session.lower() for flag in ("secure", "httponly", "samesite=strict", "path=/")
    )
    assert "domain" not in session.lower()


def test_idle_session_sends_the_browser_back_to_sign_in(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    clock.advance(minutes=31)
    away = client.get("/")
    assert away.status_code == 303 and away.headers["location"] == "/login?why=idle"


def test_logout_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = client.cookies.get("__Host-lexdesk")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    home = client.get("/")
    assert client.post("/logout", data={"csrf": _csrf(home.text)}).status_code == 303
    client.cookies.set("__Host-lexdesk", token or "")
    assert client.get("/").status_code == 303


def test_wrong_code_is_refused_beside_the_field(client: TestClient, story: Story) -> None:
    csrf = _csrf(client.get("/login").text)
    form = {
        "csrf": csrf,
        "acknowledge": "yes",
        "username": "edny-officer",
        "password": story.password,
    }
    client.post("/login", data=form)
    page = client.get("/login/code")
    wrong = client.post("/login/code", data={"csrf": _csrf(page.text), "code": "000000"})
    assert "code-error" in wrong.text and "the code is wrong" in wrong.text


def test_plain_http_gets_the_local_cookie_only_on_a_loopback_address(web_app: object) -> None:
    local = TestClient(web_app, base_url="http://127.0.0.1:8000")  # type: ignore[arg-type]
    cookie = local.get("/login").headers["set-cookie"]
    assert cookie.startswith("lexdesk-local-pre=") and "secure" not in cookie.lower()
    remote = TestClient(web_app, base_url="http://lexdesk.example")  # type: ignore[arg-type]
    cookie = remote.get("/login").headers["set-cookie"]
    assert cookie.startswith("__Host-lexdesk-pre=") and "secure" in cookie.lower()


def test_signing_out_everywhere_ends_every_session_of_the_user(
    web_app: FastAPI, client: TestClient, story: Story, clock: FakeClock
) -> None:
    elsewhere = TestClient(web_app, base_url="https://testserver", follow_redirects=False)
    sign_in(client, story, clock, "ice-nyc-officer")
    clock.advance(seconds=31)  # a TOTP code is good once: the second device waits for the next
    sign_in(elsewhere, story, clock, "ice-nyc-officer")
    assert elsewhere.get("/").status_code == 200
    home = client.get("/")
    assert 'formaction="/logout/everywhere"' in home.text
    assert client.post("/logout/everywhere", data={"csrf": _csrf(home.text)}).status_code == 303
    assert elsewhere.get("/").status_code == 303
    assert client.get("/").status_code == 303

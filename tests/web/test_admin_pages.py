"""The administrator's pages without dead ends: a confirmation step before disabling, Enable
for disabled accounts, Unlock only for locked ones, never oneself or the last administrator,
roles granted on a second administrator's approval, and forms that show every error at once,
in plain words, beside its field and in a summary that links to it."""

from __future__ import annotations

import contextlib
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.domain.errors import NotAuthenticated
from lexdesk.services import accounts, agencies
from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story
from tests.web.test_pages import csrf

PASSPHRASE = "another long passphrase 77"


def admin_client(client: TestClient, story: Story, clock: FakeClock, who: str) -> str:
    sign_in(client, story, clock, who)
    confirm(client, story, clock, who, "/admin/users")
    return csrf(client.get("/admin/users").text)


def second_admin(built: App, story: Story) -> str:
    command = agencies.AddUser("nyc-doc-admin2", "nyc-doc", "Second Admin", ("admin",))
    story.secrets["nyc-doc-admin2"] = accounts.add_account(built.desk, command, story.password)[
        1
    ].totp_secret
    return "nyc-doc-admin2"


def test_disabling_takes_a_confirmation_step_and_enable_undoes_it(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    page = client.get("/admin/users").text
    assert 'href="/admin/users/nyc-doc-officer/disable"' in page  # a link to a step, not a POST
    assert 'href="/admin/users/nyc-doc-admin/disable"' not in page  # never one's own
    step = client.get("/admin/users/nyc-doc-officer/disable")
    assert step.status_code == 200 and "Disable nyc-doc-officer?" in step.text, step.text
    assert "signed out on every device" in step.text and 'href="/admin/users">Cancel' in step.text
    done = client.post("/admin/users/nyc-doc-officer/disable", data={"csrf": token})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/users?done=disabled&user=nyc-doc-officer"
    page = client.get(done.headers["location"]).text
    assert "The account nyc-doc-officer is disabled" in page
    assert 'action="/admin/users/nyc-doc-officer/enable"' in page
    enabled = client.post("/admin/users/nyc-doc-officer/enable", data={"csrf": token})
    assert enabled.headers["location"] == "/admin/users?done=enabled&user=nyc-doc-officer"
    assert "it can sign in again" in client.get(enabled.headers["location"]).text


def test_one_cannot_disable_oneself_even_by_posting(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    step = client.get("/admin/users/nyc-doc-admin/disable")
    assert "you cannot disable it" in step.text and "<button" not in step.text.split("<main")[1]
    refused = sent_back(
        client, client.post("/admin/users/nyc-doc-admin/disable", data={"csrf": token})
    )
    assert "You cannot disable your own account: ask another administrator" in refused.text
    assert 'id="error-summary"' in refused.text


def test_unlock_is_offered_only_for_a_locked_account(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    assert "/unlock" not in client.get("/admin/users").text
    for attempt in range(5):  # from five addresses: one alone is throttled first
        clock.advance(minutes=1)
        with contextlib.suppress(NotAuthenticated):  # each failure counts towards the lock
            accounts.begin_login(
                built.desk, "nyc-doc-legal", "wrong password", f"192.0.2.{attempt}"
            )
    confirm(client, story, clock, "nyc-doc-admin", "/admin/users")  # five minutes went by
    page = client.get("/admin/users").text
    assert page.count("/unlock") == 1 and 'action="/admin/users/nyc-doc-legal/unlock"' in page
    unlocked = client.post("/admin/users/nyc-doc-legal/unlock", data={"csrf": token})
    assert unlocked.headers["location"] == "/admin/users?done=unlocked&user=nyc-doc-legal"
    assert "/unlock" not in client.get("/admin/users").text


def test_the_add_user_form_shows_every_error_at_once_in_plain_words(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    form = {"csrf": token, "username": "Bad Name!", "display_name": "x" * 10_000, "password": "a"}
    page = sent_back(client, client.post("/admin/users", data=form))
    text = page.text
    summary = text.split('id="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'href="#([a-z_0-9-]+)"', summary)
    assert links == ["username", "display_name", "roles-1", "password"]
    for field, words in (
        ("username", "Use 2 to 63 lowercase letters"),
        ("display_name", "The full name is 10,000 characters long: keep it to 200."),
        ("roles", "Choose at least one role."),
        ("password", "This password is 1 characters long"),
    ):
        assert f'id="{field}-error">{words}' in text, field
    assert "[" not in summary and "'" not in summary  # never a Python list or repr
    assert 'maxlength="63"' in text and 'maxlength="200"' in text
    assert text.count('aria-required="true"') >= 3 and "are required" in text
    assert 'value="Bad Name!"' in text  # what was typed comes back


def test_the_token_form_names_each_missing_field(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    page = sent_back(client, client.post("/admin/tokens", data={"csrf": token, "days": "0"}))
    text = page.text
    assert 'id="name-error">Enter the name of the system.' in text
    assert 'id="scopes-error">Choose at least one scope: what the system may do.' in text
    assert 'id="days-error">Enter a whole number of days from 1 to 365.' in text
    assert "unknown or missing scope" not in text and "[]" not in text
    long = sent_back(
        client,
        client.post(
            "/admin/tokens",
            data={"csrf": token, "name": "y" * 10_000, "scopes": "cases:read", "days": "30"},
        ),
    )
    assert 'id="name-error">The name of the system is 10,000 characters long' in long.text


def test_a_role_that_needs_a_second_administrator_waits_for_their_approval(
    client: TestClient, web_app: FastAPI, story: Story, clock: FakeClock, built: App
) -> None:
    other = second_admin(built, story)
    token = admin_client(client, story, clock, "nyc-doc-admin")
    own = client.get("/admin/users/nyc-doc-admin/roles")
    assert "nobody changes their own roles" in own.text
    form = {"csrf": token, "roles": ["officer", "legal"], "reason": "covers nights"}
    asked = client.post("/admin/users/nyc-doc-officer/roles", data=form)
    assert asked.headers["location"] == "/admin/users?done=requested&user=nyc-doc-officer"
    page = client.get(asked.headers["location"]).text
    grants = page.split('id="grants"')[1]
    assert "nyc-doc-officer" in grants and "covers nights" in grants
    assert "Awaits another administrator." in grants and "/approve" not in grants
    grant_id = re.findall(r"rg-[0-9a-f]{16}", page)
    assert not grant_id  # the requester is offered no decision at all
    second = TestClient(web_app, base_url="https://testserver", follow_redirects=False)
    clock.advance(seconds=30)
    other_token = admin_client(second, story, clock, other)
    page = second.get("/admin/users").text
    (grant,) = set(re.findall(r"/admin/users/grants/(rg-[0-9a-f]{16})/approve", page))
    refused_own = client.post(f"/admin/users/grants/{grant}/approve", data={"csrf": token})
    assert "another administrator" in sent_back(client, refused_own).text
    approved = second.post(f"/admin/users/grants/{grant}/approve", data={"csrf": other_token})
    assert approved.headers["location"] == "/admin/users?done=approved&user=nyc-doc-officer"
    page = second.get(approved.headers["location"]).text
    assert "Approved: nyc-doc-officer holds the roles now." in page
    assert "legal, officer" in page and "No request awaits approval." in page


def test_a_user_added_with_a_lawyers_role_waits_for_it_and_a_bad_revoke_is_a_message(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    token = admin_client(client, story, clock, "nyc-doc-admin")
    form = {
        "csrf": token,
        "username": "nyc-doc-counsel",
        "display_name": "A Counsel",
        "roles": ["legal", "supervisor"],
        "password": PASSPHRASE,
    }
    added = client.post("/admin/users", data=form)  # answered at once: the code shows once
    assert added.status_code == 200 and "wait for their approval below" in added.text
    assert re.search(r'id="enrolment-code">([A-Z2-7]{4}-){6}[A-Z2-7]{2}<', added.text)
    page = client.get("/admin/users").text
    assert 'id="enrolment-code"' not in page
    row = page.split('<th scope="row">nyc-doc-counsel')[1].split("</tr>")[0]
    assert "<td>supervisor</td>" in row  # legal waits for a second administrator
    revoked = client.post("/admin/tokens/tok-0000000000000000/revoke", data={"csrf": token})
    assert "No API token" in sent_back(client, revoked).text

"""A refused form comes back by GET (issue 13, item 3): never the answer to its POST, so Back
after a refusal and then a success never posts again. The draft that carries it keeps what was
typed and why, for its user alone, and never a password."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story


def csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def drafts(built: App) -> list[str]:
    with built.engine.connect() as db:
        rows = db.execute(select(orm.form_drafts.c.fields, orm.form_drafts.c.said)).all()
    return [json.dumps([row.fields, row.said]) for row in rows]


def test_a_refused_password_change_keeps_no_password(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    confirm(client, story, clock, "nyc-doc-officer", "/account/password")
    token = csrf(client.get("/account/password").text)
    form = {
        "csrf": token,
        "current_password": story.password,
        "new_password": "an unusual new secret 77",
        "repeat_password": "an unusual new secret 78",
    }
    page = sent_back(client, client.post("/account/password", data=form))
    assert "type the same one twice" in page.text
    assert "an unusual new secret" not in page.text
    kept = drafts(built)
    assert kept and not any(
        secret in row for row in kept for secret in (story.password, "an unusual new secret", token)
    )


def test_a_refused_answer_comes_back_with_its_values_and_contradictions_for_its_user_only(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    issued = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    sign_in(client, story, clock, "nyc-doc-legal")
    url = f"/instruments/{issued.id}/determine"
    form = {"csrf": csrf(client.get(url).text), "reason": "Kept as typed, 12345."}
    refused = client.post(url, data=form | {"fields": "release_date"})
    location = refused.headers["location"]
    page = sent_back(client, refused)
    assert 'id="outcome-error"' in page.text and "Kept as typed, 12345." in page.text
    # A reload is a GET of the same refusal: nothing is recorded twice.
    with built.engine.connect() as db:
        before = db.scalar(select(orm.form_drafts.c.id).order_by(orm.form_drafts.c.at.desc()))
    assert client.get(location).status_code == 200
    with built.engine.connect() as db:
        after = db.scalar(select(orm.form_drafts.c.id).order_by(orm.form_drafts.c.at.desc()))
    assert before == after
    # Another user of the same agency holding the address sees the blank screen.
    sign_in(client, story, clock, "nyc-doc-officer")
    other = client.get(location)
    assert "Kept as typed" not in other.text and 'id="outcome-error"' not in other.text


def test_a_refused_transition_is_said_on_the_case_page_by_get(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    issued = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    sign_in(client, story, clock, "nyc-doc-officer")
    token = csrf(client.get(f"/cases/{issued.case_id}").text)
    first = client.post(f"/instruments/{issued.id}/acknowledge", data={"csrf": token})
    assert first.status_code == 303 and "done=acknowledged" in first.headers["location"]
    again = client.post(f"/instruments/{issued.id}/acknowledge", data={"csrf": token})
    page = sent_back(client, again)
    assert (
        "Not done" in page.text and f"/cases/{issued.case_id}?draft=" in again.headers["location"]
    )

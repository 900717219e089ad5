"""The evaluation in legal English over the API, under the real rule packs: the addressee's
``GET /instruments/{id}/evaluation`` and the determination's ``explanation`` carry the same
sentences as the determination screen; every other agency gets no evaluation at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from lexdesk.adapters.migrations import upgrade
from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.story import Story, set_up_story


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2020, 1, 14, 15, 0, tzinfo=UTC))


@pytest.fixture
def built(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    app = build(Settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}"), clock=clock)
    upgrade(app.engine)
    yield app
    app.engine.dispose()


@pytest.fixture
def story(built: App) -> Story:
    return set_up_story(built.desk, ("officer", "legal"), outsiders=False)


@pytest.fixture
def client(built: App) -> TestClient:
    return TestClient(create_app(built), base_url="https://testserver")


def bearer(client: TestClient, story: Story, clock: FakeClock, username: str) -> dict[str, str]:
    clock.advance(minutes=1)
    ticket = client.post(
        "/api/v1/session",
        json={"username": username, "password": story.password, "acknowledge_notice": True},
    ).json()["ticket"]
    code = pyotp.TOTP(story.secrets[username]).at(clock.now())
    token = client.post("/api/v1/session/totp", json={"ticket": ticket, "code": code}).json()
    client.cookies.clear()
    return {"Authorization": f"Bearer {token['token']}"}


def test_the_evaluation_and_the_answer_explain_themselves_to_the_addressee_only(
    client: TestClient, built: App, story: Story, clock: FakeClock
) -> None:
    issued = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "detainer", "nyc-doc", f"nysid:{story.nysid}",
            ("hold", "disclose:release_date"), "administrative",
        ),
    )  # fmt: skip
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", issued.id))
    doc = bearer(client, story, clock, "nyc-doc-legal")
    url = f"/api/v1/instruments/{issued.id}/evaluation"
    answer = client.get(url, headers=doc)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["pack"], body["outcome"], body["as_of"]) == (
        "us-ny-nyc-doc",
        "partial",
        "2020-01-14",
    )
    assert body["actions"]["hold"]["status"] == "prohibited"
    explained: dict[str, Any] = body["explanation"]
    assert explained["summary"].startswith(
        "Under the law of New York City, New York in force on January 14, 2020"
    )
    hold, release = explained["actions"]
    assert hold["decision"] == (
        "Holding the person past the time of release is prohibited under N.Y.C. Admin. Code "
        "§ 9-131(b)(1): DOC does not hold a person on a civil immigration detainer."
    )
    assert hold["verification"]["status"] == "verified"
    assert hold["verification"]["url"].startswith("https://")
    assert (
        "With a judicial warrant, holding the person past the time of release would be permitted."
        in hold["would_change"]
    )
    assert release["status"] == "permitted"
    assert (
        "The conviction for NY PL 160.15 (Robbery in the first degree), entered on March 1, "
        "2016 (released from its sentence on March 1, 2018), qualifies as a conviction for a "
        "listed violent or serious crime within 5 years of the arrest." in release["reasons"]
    )
    # The requesting agency never reads the evaluation: the page is not there for it.
    ice = bearer(client, story, clock, "ice-nyc-legal")
    refused = client.get(url, headers=ice)
    assert refused.status_code == 404 and set(refused.json()) == {"detail"}

    determined = client.post(
        f"/api/v1/instruments/{issued.id}/determination",
        json={
            "outcome": "partially_complied",
            "reason": "§ 9-131(h)(1)(i): a listed conviction; no hold without a judicial warrant.",
            "released_fields": ["release_date"],
        },
        headers=doc,
    )
    assert determined.status_code == 200, determined.text
    stored = determined.json()["determination"]["explanation"]
    assert stored["actions"][0]["decision"] == hold["decision"]
    seen_by_ice = client.get(f"/api/v1/instruments/{issued.id}", headers=ice).json()
    assert seen_by_ice["determination"]["explanation"] is None
    assert seen_by_ice["determination"]["evaluation"] is None


def test_the_schema_declares_the_explanation(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "explanation" in schemas["DeterminationOut"]["properties"]
    assert "explanation" in schemas["EvaluationOut"]["properties"]
    assert set(schemas["ActionExplanationOut"]["properties"]) >= {
        "decision", "reasons", "not_applying", "would_change", "notes", "verification",
    }  # fmt: skip

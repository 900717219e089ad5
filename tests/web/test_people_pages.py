"""The custodian's people pages: the list, one person's stays, booking in, and the events of a
stay, each with its reason; nobody else's people, and nobody who may not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story


def csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_a_custodian_books_moves_and_releases_from_its_pages(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    listed = client.get("/persons")
    assert listed.status_code == 200 and "QUINTAL, Dario" in listed.text
    form = client.get("/persons/new")
    missing = sent_back(
        client,
        client.post("/persons/new", data={"csrf": csrf(form.text), "family_name": "Pagebook"}),
    )
    assert 'id="given_name-error"' in missing.text and 'value="Pagebook"' in missing.text
    assert 'id="nysid-error"' in missing.text
    bad_date = {"csrf": csrf(form.text), "family_name": "X", "given_name": "Y", "nysid": "1",
                "arrested_on": "2020-13-45"}  # fmt: skip
    refused = client.post("/persons/new", data=bad_date)
    assert "is not a date" in sent_back(client, refused).text
    booked = client.post("/persons/new", data={
        "csrf": csrf(form.text), "family_name": "Pagebook", "given_name": "Ira",
        "nysid": "77770001W", "release_day": "2020-03-02", "release_time": "09:15",
    })  # fmt: skip
    assert booked.status_code == 303
    page_url = booked.headers["location"].split("?")[0]
    assert booked.headers["location"].endswith("?done=booked")
    page = client.get(page_url)
    assert "PAGEBOOK, Ira" in page.text and "2020-03-02 09:15" in page.text
    detainer = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "detainer", "nyc-doc", "nysid:77770001W", ("hold",), "judicial"
        ),
    )
    token = csrf(page.text)
    unreasoned = sent_back(
        client,
        client.post(
            f"{page_url}/release-date", data={"csrf": token, "day": "2020-03-09", "reason": ""}
        ),
    )
    assert 'id="release-date-reason-error"' in unreasoned.text
    assert 'href="#release-date-reason"' in unreasoned.text  # the summary links to the field
    assert 'value="2020-03-09"' in unreasoned.text  # what was typed stays
    undated = client.post(
        f"{page_url}/release-date", data={"csrf": token, "day": "03/09", "reason": "Redone."}
    )
    assert 'id="release-date-day-error"' in sent_back(client, undated).text
    moved = client.post(f"{page_url}/release-date",
                        data={"csrf": token, "day": "2020-03-09", "time": "10:00",
                              "reason": "Sentence recalculated."})  # fmt: skip
    assert moved.status_code == 303
    with built.desk.uow() as uow:
        case = uow.cases.of_instrument(detainer.id)
        assert case is not None
        assert case.instrument(detainer.id).due_at is not None
        assert case.instrument(detainer.id).due.start.hour == 14  # 10:00 New York, in UTC
    released = client.post(f"{page_url}/release", data={"csrf": token, "reason": "Bail."})
    assert released.status_code == 303
    assert "released" in client.get(page_url).text
    with built.desk.uow() as uow:
        case = uow.cases.of_instrument(detainer.id)
        assert case is not None and case.instrument(detainer.id).status.value == "moot"


def test_people_pages_are_the_custodians_alone(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    assert client.get("/persons").status_code == 404
    assert client.get(f"/persons/{story.person_id}").status_code == 404
    client.cookies.clear()
    sign_in(client, story, clock, "nyc-doc-auditor")
    assert client.get("/persons").status_code == 404

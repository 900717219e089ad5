"""Feedback and navigation (issue 13, item 3): every action is answered by a success alert on
the page it redirects to (POST/redirect/GET, so Back and reload never post again), and a list's
search goes by GET under an opaque id that names no person and serves its user alone."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story
from tests.web.test_pages import csrf

SUCCESS = 'class="usa-alert usa-alert--success'


def _issue(client: TestClient, story: Story) -> str:
    token = csrf(client.get("/instruments/new").text)
    form = {
        "csrf": token,
        "kind": "information_request",
        "addressee": "nyc-doc",
        "person": f"nysid:{story.nysid}",
        "actions": "disclose:release_date",
        "warrant": "none",
    }
    kept = client.post("/instruments/new", data=form).headers["location"]
    draft = kept.split("draft=")[1]
    sent = client.post("/instruments/new", data={"csrf": token, "draft": draft, "confirmed": "yes"})
    assert sent.status_code == 303
    return str(sent.headers["location"])


def test_sending_says_so_on_the_page_it_leads_to(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    location = _issue(client, story)
    assert "done=issued" in location
    page = client.get(location)
    assert SUCCESS in page.text and "The request was sent." in page.text
    # The same case without the key says nothing: the alert is the redirect's, not the case's.
    assert "The request was sent." not in client.get(location.split("?")[0]).text


def test_acknowledging_and_withdrawing_say_so(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    case_url = _issue(client, story).split("?")[0]
    instrument_id = case_url.rsplit("#", 1)[-1] if "#" in case_url else ""
    with built.engine.connect() as db:
        instrument_id = instrument_id or db.exec_driver_sql("SELECT id FROM instruments").scalar()
    sign_in(client, story, clock, "nyc-doc-officer")
    token = csrf(client.get("/").text)
    done = client.post(f"/instruments/{instrument_id}/acknowledge", data={"csrf": token})
    assert done.status_code == 303 and "done=acknowledged" in done.headers["location"]
    assert "Acknowledged. The requester has been told" in client.get(done.headers["location"]).text


def test_a_key_that_is_not_ours_shows_nothing(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get("/?done=<script>alert(1)</script>")
    assert SUCCESS not in page.text and "<script>alert(1)" not in page.text
    not_a_count = client.get("/?done=acknowledged-many&n=x").text
    assert SUCCESS not in not_a_count


def test_bulk_acknowledgement_redirects_when_every_one_succeeded(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    command = verbs.IssueInstrument(
        "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
        ("disclose:release_date",), "none",
    )  # fmt: skip
    issued = verbs.issue_instrument(built.desk, command)
    sign_in(client, story, clock, "nyc-doc-officer")
    token = csrf(client.get("/").text)
    done = client.post(
        "/instruments/acknowledge", data={"csrf": token, "ids": issued.id, "view": "inbox"}
    )
    assert done.status_code == 303
    assert parse_qs(urlsplit(done.headers["location"]).query)["n"] == ["1"]
    assert "1 instrument(s) acknowledged" in client.get(done.headers["location"]).text
    # Posting the same again (a reload of the old form) is refused and says why, on its page.
    again = client.post(
        "/instruments/acknowledge", data={"csrf": token, "ids": issued.id, "view": "inbox"}
    )
    assert 'data-result="refused"' in sent_back(client, again).text


def test_a_search_is_a_bookmarkable_get_that_names_no_person(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    command = verbs.IssueInstrument(
        "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
        ("disclose:release_date",), "none",
    )  # fmt: skip
    verbs.issue_instrument(built.desk, command)
    sign_in(client, story, clock, "nyc-doc-officer")
    form = {"csrf": csrf(client.get("/").text), "view": "all", "sort": "kind", "status": ""}
    posted = client.post("/", data=form | {"q": "Quintal"})
    location = posted.headers["location"]
    assert posted.status_code == 303 and location.startswith("/?")
    query = parse_qs(urlsplit(location).query)
    assert query["view"] == ["all"] and query["sort"] == ["kind"]
    assert query["search"][0].startswith("srch-") and "quintal" not in location.lower()
    page = client.get(location)
    assert "QUINTAL, Dario" in page.text and "“Quintal”" in page.text
    # Sorting and paging keep the search, by its id.
    assert f"search={query['search'][0]}" in page.text
    # Another user of the same agency holding the address sees no search and is told why.
    sign_in(client, story, clock, "nyc-doc-legal")
    elsewhere = client.get(location)
    assert "no longer kept" in elsewhere.text and "“Quintal”" not in elsewhere.text
    # A month later the search is gone for its user too.
    clock.moment += timedelta(days=31)
    sign_in(client, story, clock, "nyc-doc-officer")
    assert "no longer kept" in client.get(location).text


def test_an_empty_search_is_the_plain_list_and_an_overlong_one_is_refused(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    form = {"csrf": csrf(client.get("/").text), "view": "inbox"}
    plain = client.post("/", data=form | {"q": "  "})
    assert plain.status_code == 303 and "search=" not in plain.headers["location"]
    long = client.post("/", data=form | {"q": "x" * 201})
    assert long.status_code == 400 and "longer than 200 characters" in long.text

"""The review step checks everything the services will check (issue 13, item 2): every error at
once, each beside its field in plain words, an error summary linking to each field, the same
length limits as the services, dates checked before review, and only the right party's form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.limits import REASON_MAX
from lexdesk.domain.vocabulary import a_or_an
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story
from tests.web.test_pages import csrf

REASON = "No judicial warrant: Admin. Code § 9-131(b)."


def summary_links(page: str) -> list[str]:
    found = re.search(
        r'<div class="usa-alert usa-alert--error[^"]*" id="error-summary".*?</ul>', page, re.S
    )
    assert found, "no error summary"
    return re.findall(r'href="#([^"]+)"', found.group(0))


def kept_and_shown(client: TestClient, url: str, form: dict[str, str]) -> str:
    """Post the form; it is kept as a draft and shown by GET, never as the answer to a POST."""
    kept = client.post(url, data=form)
    assert kept.status_code == 303 and "draft=drf-" in kept.headers["location"], kept.text
    shown = client.get(kept.headers["location"])
    assert shown.status_code == 200
    return shown.text


def count(built: App, table: str) -> int:
    with built.engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(orm.metadata.tables[table])) or 0)


@pytest.fixture
def declined(built: App, story: Story) -> Instrument:
    request = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:home_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", request.id))
    verbs.determine(built.desk, verbs.Determine("nyc-doc-legal", request.id, "declined", REASON))
    return request


def test_every_error_of_the_issue_form_at_once_each_linked_from_the_summary(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/instruments/new").text)
    page = kept_and_shown(
        client, "/instruments/new",
        {"csrf": token, "kind": "subpoena?", "addressee": "usao-edny", "person": "12345",
         "warrant": "none", "reference": "R" * 101},
    )  # fmt: skip
    assert summary_links(page) == ["kind", "addressee", "person", "actions-1", "reference"]
    for field in ("kind", "addressee", "person", "actions", "reference"):
        assert f'id="{field}-error"' in page, field
    assert "shorten it to 100 or fewer" in page
    assert "<title>Error: Issue a request" in page
    assert count(built, "instruments") == 0


def test_an_unknown_person_is_said_at_review_beside_the_person(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/instruments/new").text)
    form = {"csrf": token, "kind": "information_request", "addressee": "nyc-doc",
            "person": "nysid:00000000Z", "actions": "disclose:release_date",
            "warrant": "none"}  # fmt: skip
    review = kept_and_shown(client, "/instruments/new", form)
    assert "Check before you send" not in review
    assert summary_links(review) == ["person"] and 'id="person-error"' in review
    assert count(built, "instruments") == 0


def test_the_only_custodian_is_chosen_and_every_input_has_its_limit(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get("/instruments/new").text
    custodians = re.search(r'<select[^>]*id="addressee".*?</select>', page, re.S)
    assert custodians and "- Select -" not in custodians.group(0)
    assert 'value="nyc-doc" selected' in custodians.group(0)
    for tag in re.findall(r"<(?:input|textarea)[^>]*>", page):
        if 'type="hidden"' in tag or 'type="checkbox"' in tag or 'type="radio"' in tag:
            continue
        assert "maxlength=" in tag, tag
    assert f'maxlength="{REASON_MAX}"' in page


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2019-01-31", "has passed where the addressee is"),
        ("9999-01-31", "more than two years away"),
        ("31/01/2020", "Write the date as YYYY-MM-DD"),
        ("", "Give the date by which the records are due"),
    ],
)
def test_a_return_date_is_checked_with_the_other_fields_before_review(
    client: TestClient, story: Story, clock: FakeClock, declined: Instrument, day: str, said: str
) -> None:
    sign_in(client, story, clock, "ice-nyc-legal")
    url = f"/instruments/{declined.id}/escalate"
    form = client.get(url)
    assert "Escalate to an administrative subpoena" in form.text and "America/New_York" in form.text
    page = kept_and_shown(client, url, {"csrf": csrf(form.text), "return_date": day, "reason": ""})
    assert said in page
    assert summary_links(page) == ["return_date", "reason"]


def test_an_agency_of_the_wrong_kind_is_no_addressee(
    client: TestClient, story: Story, clock: FakeClock, built: App, declined: Instrument
) -> None:
    subpoena = verbs.escalate(
        built.desk,
        verbs.Escalate("ice-nyc-legal", declined.id, "Records demanded.", None, (),
                       clock.now().replace(year=2020, month=1, day=31, hour=22)),
    )  # fmt: skip
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", subpoena.id))
    verbs.determine(built.desk, verbs.Determine("nyc-doc-legal", subpoena.id, "declined", REASON))
    sign_in(client, story, clock, "ice-nyc-legal")
    url = f"/instruments/{subpoena.id}/escalate"
    token = csrf(client.get(url).text)
    page = kept_and_shown(client, url, {"csrf": token, "addressee": "nyc-doc", "reason": "Go."})
    assert summary_links(page) == ["addressee"]
    assert "Choose the prosecutor agency." in page


def test_a_withdrawal_without_a_reason_stays_on_its_form(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    issued = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    sign_in(client, story, clock, "ice-nyc-officer")
    url = f"/instruments/{issued.id}/withdraw"
    token = csrf(client.get(url).text)
    empty = client.post(url, data={"csrf": token, "reason": ""})
    assert summary_links(sent_back(client, empty).text) == ["reason"]
    long = client.post(url, data={"csrf": token, "reason": "w" * (REASON_MAX + 1)})
    assert f"shorten it to {REASON_MAX} or fewer" in sent_back(client, long).text
    done = client.post(url, data={"csrf": token, "reason": "Sent in error."})
    assert done.status_code == 303 and "done=withdrawn" in done.headers["location"]


def test_the_services_refuse_what_the_pages_refuse(built: App, story: Story) -> None:
    """The CLI and the API reach the same services: the limit is theirs, not only the page's."""
    command = verbs.IssueInstrument(
        "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
        ("disclose:release_date",), "none", None, "", "n" * (REASON_MAX + 1),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match=f"shorten it to {REASON_MAX}"):
        verbs.issue_instrument(built.desk, command)
    assert count(built, "instruments") == 0


def test_articles_agree_with_their_nouns() -> None:
    assert a_or_an("administrative_subpoena") == "an administrative subpoena"
    assert a_or_an("immigration") == "an immigration"
    assert a_or_an("detainer") == "a detainer"
    assert a_or_an("court_order") == "a court order"


def test_a_reviewed_draft_is_sent_once_and_going_back_to_it_says_where_it_went(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/instruments/new").text)
    form = {"csrf": token, "kind": "information_request", "addressee": "nyc-doc",
            "person": f"nysid:{story.nysid}", "actions": "disclose:release_date",
            "warrant": "none"}  # fmt: skip
    review_url = client.post("/instruments/new", data=form).headers["location"]
    assert "Check before you send" in client.get(review_url).text
    draft = review_url.split("draft=")[1]
    send = {"csrf": token, "draft": draft, "confirmed": "yes"}
    first = client.post("/instruments/new", data=send)
    assert first.status_code == 303 and first.headers["location"].startswith("/cases/")
    again = client.post("/instruments/new", data=send)  # a double click, a reload, another tab
    assert again.status_code == 303 and again.headers["location"] == review_url
    assert count(built, "instruments") == 1
    back = client.get(review_url).text  # Back after Send: a GET that says where it went
    assert "Sent already" in back and "Check before you send" not in back
    assert first.headers["location"].split("?")[0] in back
    # Another user holding the address finds no draft, and sends nothing with its id.
    sign_in(client, story, clock, "ice-nyc-legal")
    assert "no longer kept" in client.get(review_url).text
    token = csrf(client.get("/instruments/new").text)
    stolen = client.post("/instruments/new", data=send | {"csrf": token})
    assert stolen.status_code == 400 and count(built, "instruments") == 1


def test_change_goes_back_to_the_form_with_what_was_typed(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/instruments/new").text)
    form = {"csrf": token, "kind": "information_request", "addressee": "nyc-doc",
            "person": f"nysid:{story.nysid}", "actions": "disclose:release_date",
            "warrant": "none", "reference": "REF-77"}  # fmt: skip
    review_url = client.post("/instruments/new", data=form).headers["location"]
    review = client.get(review_url).text
    assert f'href="/instruments/new?draft={review_url.split("draft=")[1]}&amp;edit=1"' in review
    editing = client.get(f"{review_url}&edit=1").text
    assert 'value="REF-77"' in editing and "Check before you send" not in editing

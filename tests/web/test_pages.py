"""The pages over HTTP, without a browser: permissions, CSRF, validation beside the fields,
the confirmation step, the determination's refusal of prohibited fields, lists and headers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.domain.instruments import Instrument
from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story


def csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found.group(1)


@pytest.fixture
def detainer(built: App, story: Story) -> Instrument:
    command = verbs.IssueInstrument(
        "ice-nyc-officer",
        "detainer",
        "nyc-doc",
        f"nysid:{story.nysid}",
        ("hold", "disclose:release_date", "disclose:home_address"),
        "administrative",
    )
    issued = verbs.issue_instrument(built.desk, command)
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", issued.id))
    return issued


@pytest.fixture
def unlisted_detainer(built: App, story: Story) -> Instrument:
    """A detainer about a person with no conviction on the § 9-131 list: the law lets DOC
    release nothing about them."""
    persons.book_person(
        built.desk,
        persons.BookPerson(
            actor="nyc-doc-officer",
            family_name="Testperson",
            given_name="Alex",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 19, tzinfo=UTC),
            identifiers={"nysid": "90000002R"},
            record={"home_address": "1 Test Lane"},
        ),
    )
    command = verbs.IssueInstrument(
        "ice-nyc-officer", "detainer", "nyc-doc", "nysid:90000002R",
        ("hold", "disclose:release_date", "disclose:home_address"), "administrative",
    )  # fmt: skip
    issued = verbs.issue_instrument(built.desk, command)
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", issued.id))
    return issued


def test_every_post_without_the_session_csrf_token_is_refused(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    for url in (
        f"/instruments/{detainer.id}/determine",
        f"/instruments/{detainer.id}/acknowledge",
        f"/instruments/{detainer.id}/withdraw",
        f"/instruments/{detainer.id}/escalate",
        "/instruments/new",
        "/admin/users",
        "/admin/tokens",
        "/logout",
    ):
        assert client.post(url, data={"csrf": "x" * 64}).status_code == 403, url


def test_pages_carry_the_hygiene_headers(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    for url in ("/", f"/cases/{detainer.case_id}", f"/instruments/{detainer.id}/determine"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"


def test_the_custodian_sees_the_evaluation_and_a_prohibited_release_needs_an_override(
    client: TestClient, story: Story, clock: FakeClock, built: App, unlisted_detainer: Instrument
) -> None:
    detainer = unlisted_detainer
    sign_in(client, story, clock, "nyc-doc-legal")
    screen = client.get(f"/instruments/{detainer.id}/determine")
    assert "NYC-DOC-HOLD-01" in screen.text and "What would change it" in screen.text
    assert "home address — prohibited" in screen.text
    form = {
        "csrf": csrf(screen.text),
        "outcome": "partially_complied",
        "fields": "home_address",
        "reason": "Trying to release an address.",
    }
    refused = sent_back(client, client.post(f"/instruments/{detainer.id}/determine", data=form))
    assert "contradicts the evaluation" in refused.text
    assert (
        "Override the evaluation" in refused.text
        and "Disclosing the home address is prohibited under N.Y.C. Admin. Code" in refused.text
        and "but this answer does it." in refused.text
        and "disclose:home_address" not in refused.text
    )
    unconfirmed = form | {"override_reason": "Counsel finds the address already public record."}
    again = client.post(f"/instruments/{detainer.id}/determine", data=unconfirmed)
    again_page = sent_back(client, again).text  # the override step was not confirmed
    assert "contradicts the evaluation" in again_page and "already public record" in again_page
    confirmed = unconfirmed | {"override_confirmed": "yes"}
    done = client.post(f"/instruments/{detainer.id}/determine", data=confirmed)
    assert done.status_code == 303
    case = client.get(f"/cases/{detainer.case_id}").text
    assert "Override of the evaluation" in case and "already public record" in case


def test_an_answer_without_reason_is_marked_beside_the_field(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    screen = client.get(f"/instruments/{detainer.id}/determine")
    answer = client.post(
        f"/instruments/{detainer.id}/determine",
        data={"csrf": csrf(screen.text), "outcome": "declined"},
    )
    assert 'id="reason-error"' in sent_back(client, answer).text


def test_an_officer_sees_no_button_the_role_forbids(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get(f"/cases/{detainer.case_id}")
    assert "Record the answer" not in page.text  # determining needs legal or supervisor
    assert client.get(f"/instruments/{detainer.id}/determine").status_code == 404


def test_issuing_checks_each_field_then_asks_for_confirmation(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/instruments/new").text)
    kept = client.post("/instruments/new", data={"csrf": token, "kind": "detainer"})
    empty = client.get(kept.headers["location"])
    assert all(f'id="{f}-error"' in empty.text for f in ("person", "actions"))
    form = {
        "csrf": token,
        "kind": "information_request",
        "addressee": "nyc-doc",
        "person": f"nysid:{story.nysid}",
        "actions": "disclose:release_date",
        "warrant": "none",
    }
    kept = client.post("/instruments/new", data=form)
    assert kept.status_code == 303 and "draft=drf-" in kept.headers["location"]
    review = client.get(kept.headers["location"])
    assert "Check before you send" in review.text
    with built.engine.connect() as db:
        assert db.exec_driver_sql("SELECT count(*) FROM instruments").scalar() == 0
    draft = kept.headers["location"].split("draft=")[1]
    sent = client.post("/instruments/new", data={"csrf": token, "draft": draft, "confirmed": "yes"})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/cases/")


def test_the_requesting_agency_sees_only_what_was_released(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get(f"/cases/{detainer.case_id}")
    assert story.nysid in page.text
    assert "Georgetown" not in page.text and "Example Avenue" not in page.text


def test_home_lists_search_by_post_and_flag_release_within_48_hours(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    home = client.get("/")
    assert "QUINTAL, Dario" in home.text and "Release within 48 h" not in home.text
    form = {"csrf": csrf(home.text), "view": "inbox", "sort": "kind"}

    def searched(q: str) -> str:
        posted = client.post("/", data=form | {"q": q})
        assert posted.status_code == 303 and q not in posted.headers["location"]
        return client.get(posted.headers["location"]).text

    assert "QUINTAL, Dario" in searched("quint")
    assert "0 instruments" in searched("nobody")
    assert client.post("/", data=form | {"q": "quint", "csrf": "forged"}).status_code == 403
    clock.moment = clock.moment.replace(month=6, day=29)
    sign_in(client, story, clock, "nyc-doc-officer")
    assert "Release within 48 h" in client.get("/").text


def test_no_page_puts_a_search_or_a_person_in_its_url(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    for url in ("/", "/?view=all", f"/cases/{detainer.case_id}", "/instruments/new"):
        page = client.get(url).text
        # A GET form carries filters only (no person is named by one): never the search.
        for form in re.findall(r'<form[^>]*method="get".*?</form>', page, re.S | re.I):
            assert 'name="q"' not in form and 'type="text"' not in form, url
        assert story.nysid not in "".join(re.findall(r'(?:href|action)="([^"]*)"', page)), url


def test_audit_log_is_for_auditors_only(client: TestClient, story: Story, clock: FakeClock) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    assert client.get("/audit").status_code == 404
    sign_in(client, story, clock, "nyc-doc-auditor")
    page = client.get("/audit")
    assert page.status_code == 200 and "Chain verified" in page.text


def test_an_administrator_adds_and_disables_a_user_of_the_own_agency(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-admin")
    confirm(client, story, clock, "nyc-doc-admin", "/admin/users")
    token = csrf(client.get("/admin/users").text)
    form = {
        "csrf": token,
        "username": "nyc-doc-clerk",
        "display_name": "A Clerk",
        "roles": "officer",
        "password": "another long passphrase 77",
    }
    added = client.post("/admin/users", data=form)  # shows the enrolment code, once
    assert added.status_code == 200 and "The user nyc-doc-clerk was added" in added.text
    assert "nyc-doc-clerk" in client.get("/admin/users").text
    assert (
        client.post("/admin/users/nyc-doc-clerk/disable", data={"csrf": token}).status_code == 303
    )
    assert "disabled" in client.get("/admin/users").text
    made = client.post(
        "/admin/tokens",
        data={"csrf": token, "name": "jail system", "scopes": "cases:read", "days": "30"},
    )
    assert 'id="new-token"' in made.text


def test_an_answer_to_an_instrument_that_moved_on_is_refused(
    client: TestClient, story: Story, clock: FakeClock, built: App, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    screen = client.get(f"/instruments/{detainer.id}/determine").text
    shown = re.search(r'name="version" value="(\d+)"', screen)
    assert shown
    verbs.withdraw(built.desk, verbs.Withdraw("ice-nyc-officer", detainer.id, "No longer needed."))
    form = {"csrf": csrf(screen), "version": shown.group(1), "outcome": "declined", "reason": "x"}
    late = client.post(f"/instruments/{detainer.id}/determine", data=form)
    assert "changed by someone else" in sent_back(client, late).text


def test_reading_a_list_or_a_case_is_on_record_with_the_client_address(
    client: TestClient, built: App, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    assert client.get("/").status_code == 200
    assert client.get(f"/cases/{detainer.case_id}").status_code == 200
    with built.desk.uow() as uow:
        reads = [e for e in uow.audit.entries() if e.action.endswith(".read")]
    assert [(e.action, e.object_type) for e in reads[-2:]] == [
        ("person_list.read", "person_list"),
        ("case.read", "case"),
    ]
    assert reads[-2].detail == {"cases": [detainer.case_id]}
    assert {e.source for e in reads[-2:]} == {"testclient"}
    assert {e.actor for e in reads[-2:]} == {"nyc-doc-legal"}


def test_the_facts_the_answer_turns_on_are_recorded_from_the_screen(
    client: TestClient, story: Story, clock: FakeClock, built: App, unlisted_detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    url = f"/instruments/{unlisted_detainer.id}/determine"
    screen = client.get(url)
    assert "Record facts the answer turns on" in screen.text
    assert "release date — prohibited" in screen.text
    form = {"csrf": csrf(screen.text), "flags": "tsdb_match", "facts_reason": "TSDB hit today."}
    unreasoned = client.post(
        f"/instruments/{unlisted_detainer.id}/facts", data=form | {"facts_reason": ""}
    )
    assert "needs a reason" in sent_back(client, unreasoned).text
    done = client.post(f"/instruments/{unlisted_detainer.id}/facts", data=form)
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=facts"
    again = client.get(url).text
    assert "release date — permitted" in again
    with built.desk.uow() as uow:
        entry = [e for e in uow.audit.entries() if e.action == "person.facts"][-1]
    assert entry.actor == "nyc-doc-legal" and entry.detail["changed"] == ["tsdb_match"]

"""Work management over HTTP: filters in the URL, sortable columns, counts on tabs, due tags,
assignment, notes, bulk acknowledge, CSV exports, and each role's home and audit log."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story


def csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found.group(1)


def issue(built: App, nysid: str) -> str:
    command = verbs.IssueInstrument(
        "ice-nyc-officer", "detainer", "nyc-doc", f"nysid:{nysid}",
        ("hold", "disclose:release_date"), "administrative",
    )  # fmt: skip
    return verbs.issue_instrument(built.desk, command).id


@pytest.fixture
def two(built: App, story: Story) -> tuple[str, str]:
    persons.book_person(
        built.desk,
        persons.BookPerson(
            actor="nyc-doc-officer",
            family_name="Testperson",
            given_name="Alex",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 19, tzinfo=UTC),
            expected_release_at=datetime(2020, 8, 30, 13, tzinfo=UTC),
            identifiers={"nysid": "90000002R"},
        ),
    )
    return issue(built, story.nysid), issue(built, "90000002R")


def audit_actions(built: App, action: str) -> list[Any]:
    with built.engine.connect() as db:
        return list(
            db.execute(
                select(orm.audit_log).where(orm.audit_log.c.action == action)
                .order_by(orm.audit_log.c.seq)
            )
        )  # fmt: skip


def test_filters_are_in_a_bookmarkable_url_and_tabs_count(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, second = two
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", second))
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/?view=all&status=acknowledged")
    assert page.status_code == 200
    assert second in page.text and first not in page.text
    assert "1 instrument under the filters" in page.text
    # Each tab names how many it holds under the filters.
    assert re.search(
        r'aria-current="page">All received <span class="tab-count">1</span>', page.text
    )
    assert re.search(r'>Inbox <span class="tab-count">1</span>', page.text)
    assert first in client.get("/?view=all&status=issued").text
    assert "0 instruments" in client.get("/?view=all&other=ice-chi").text
    assert "0 instruments" in client.get("/?view=all&kind=referral").text
    both = client.get("/?view=all&due_from=2020-07-01&due_to=2020-09-30").text
    assert first in both and second in both
    assert second not in client.get("/?view=all&due_to=2020-07-31").text
    bad = client.get("/?view=all&due_from=July&kind=nonsense")
    assert bad.status_code == 400
    assert "Enter a date as YYYY-MM-DD" in bad.text and "There is no kind" in bad.text
    # Sortable columns: the header links carry the filters and toggle the order.
    sorted_page = client.get("/?view=all&sort=due&status=issued").text
    assert 'aria-sort="ascending"' in sorted_page
    assert "sort=-due" in sorted_page and "status=issued" in sorted_page
    # A column with one order does not offer a reverse it does not have.
    assert "sort=-kind" not in client.get("/?view=all&sort=kind").text
    # Names are sealed at rest: the Person column is no sort, and an old link to one opens
    # the list in its default order.
    assert "sort=person" not in sorted_page and "sort=-person" not in sorted_page
    old = client.get("/?view=all&sort=-person").text
    assert re.findall(r"(QUINTAL, Dario|TESTPERSON, Alex)", old)
    assert "aria-sort" not in old.split("<th")[1]


def test_overdue_due_today_and_soon_are_tagged_for_the_custodian_only(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str]
) -> None:
    first, _ = two  # held until 48 hours after the release on 2020-06-30
    clock.moment = datetime(2020, 7, 1, 15, tzinfo=UTC)
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/").text
    assert 'data-urgency="due_soon"' in page and "Due within 48 h" in page
    clock.moment = datetime(2020, 7, 3, 15, tzinfo=UTC)
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/").text
    assert 'data-urgency="overdue"' in page and "1 overdue" in page
    # Needs action first: the overdue row leads the list.
    assert page.index(first) < page.index("TESTPERSON")
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get("/?view=all").text
    assert "data-urgency" not in page and "overdue</span>" not in page
    assert "on release" in page


def test_assign_reassign_and_each_side_sees_only_its_own(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, _ = two
    with built.engine.connect() as db:
        case_id = db.scalar(select(orm.instruments.c.case_id).where(orm.instruments.c.id == first))
    sign_in(client, story, clock, "nyc-doc-legal")
    page = client.get(f"/cases/{case_id}/work")
    assert page.status_code == 200 and "No one" in page.text
    token = csrf(page.text)
    answer = client.post(
        f"/instruments/{first}/assign",
        data={"csrf": token, "case": case_id, "assignee": "nyc-doc-officer"},
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert "Assigned" in page.text
    answer = client.post(
        f"/instruments/{first}/assign",
        data={"csrf": token, "case": case_id, "assignee": "nyc-doc-legal"},
    )
    assert answer.status_code == 303
    refused = client.post(
        f"/instruments/{first}/assign",
        data={"csrf": token, "case": case_id, "assignee": "ice-nyc-officer"},
    )
    assert "no one of nyc-doc is called" in sent_back(client, refused).text
    refused = client.post(
        f"/instruments/{first}/assign",
        data={"csrf": token, "case": case_id, "assignee": "nyc-doc-auditor"},
    )
    assert "does not work cases" in sent_back(client, refused).text
    home = client.get("/?view=mine").text
    assert first in home
    assert [r.detail["previous"] for r in audit_actions(built, "instrument.assign")] == [
        None,
        "nyc-doc-officer",
    ]
    # The requester sees none of it, and its own list has the instrument unassigned.
    sign_in(client, story, clock, "ice-nyc-officer")
    assert "nyc-doc-legal" not in client.get(f"/cases/{case_id}/work").text
    assert "nyc-doc-legal" not in client.get("/?view=all").text
    assert first in client.get("/?view=unassigned").text
    # An agency that is no party to the case cannot open or assign it.
    sign_in(client, story, clock, "usao-edny-officer")
    assert client.get(f"/cases/{case_id}/work").status_code == 404


def test_notes_are_for_the_own_agency_length_limited_and_on_record(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, _ = two
    with built.engine.connect() as db:
        case_id = db.scalar(select(orm.instruments.c.case_id).where(orm.instruments.c.id == first))
    sign_in(client, story, clock, "nyc-doc-legal")
    token = csrf(client.get(f"/cases/{case_id}/work").text)
    answer = client.post(
        f"/cases/{case_id}/notes", data={"csrf": token, "note": "Warrant is administrative."}
    )
    assert answer.status_code == 303
    assert "Warrant is administrative." in client.get(f"/cases/{case_id}/work").text
    long = sent_back(
        client, client.post(f"/cases/{case_id}/notes", data={"csrf": token, "note": "x" * 2001})
    )
    assert "shorten it to 2000" in long.text and "x" * 2001 in long.text
    assert 'id="note-error"' in long.text and 'href="#note"' in long.text
    empty = client.post(f"/cases/{case_id}/notes", data={"csrf": token, "note": "  "})
    assert "the note is empty" in sent_back(client, empty).text
    notes = audit_actions(built, "case.note")
    assert [n.outcome for n in notes] == ["success", "failure", "failure"]
    sign_in(client, story, clock, "ice-nyc-officer")
    assert "Warrant is administrative." not in client.get(f"/cases/{case_id}/work").text


def test_bulk_acknowledge_reports_each_row(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, second = two
    sign_in(client, story, clock, "nyc-doc-officer")
    home = client.get("/")
    assert f'name="ids" value="{first}"' in home.text
    form = {"csrf": csrf(home.text), "view": "inbox", "ids": [first, second, "ins-unknown"]}
    answer = sent_back(client, client.post("/instruments/acknowledge", data=form))
    assert "2 of 3 acknowledged" in answer.text
    assert answer.text.count('data-result="acknowledged"') == 2
    assert answer.text.count('data-result="refused"') == 1
    done = [r.object_id for r in audit_actions(built, "instrument.acknowledge")]
    assert sorted(done) == sorted([first, second, "ins-unknown"])
    again = client.post("/instruments/acknowledge", data=form | {"ids": [first]})
    assert "Not acknowledged" in sent_back(client, again).text
    none = client.post("/instruments/acknowledge", data={"csrf": form["csrf"]})
    assert "Select at least one" in sent_back(client, none).text
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/").text)
    refused = client.post("/instruments/acknowledge", data={"csrf": token, "ids": [first]})
    assert "Not acknowledged" in sent_back(client, refused).text


def test_export_is_the_list_as_shown_and_on_record(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, second = two
    sign_in(client, story, clock, "nyc-doc-legal")
    token = csrf(client.get("/?view=all").text)
    client.post(f"/instruments/{first}/assign", data={"csrf": token, "assignee": "nyc-doc-legal"})
    answer = client.post(
        "/export", data={"csrf": token, "view": "all", "sort": "due", "status": "issued"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["instrument"] for r in rows] == [first, second]
    assert rows[0]["person"] == "QUINTAL, Dario" and rows[0]["assigned_to"] == "nyc-doc-legal"
    assert rows[0]["due"].startswith("2020-07-02") and rows[0]["expected_release"]
    exported = audit_actions(built, "instrument_list.export")
    assert exported[-1].detail["rows"] == 2 and exported[-1].detail["filters"]["status"] == "issued"
    # The requester's export: no release, no due date that runs from it, no assignee of DOC's.
    sign_in(client, story, clock, "ice-nyc-officer")
    token = csrf(client.get("/?view=all").text)
    answer = client.post("/export", data={"csrf": token, "view": "all"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["instrument"] for r in rows} == {first, second}
    assert "expected_release" not in rows[0]
    assert all(r["due"] == "on release" and r["assigned_to"] == "" for r in rows)
    assert "2020-06-30" not in answer.text and "2020-07-02" not in answer.text
    assert "Dario" not in answer.text
    bad = client.post("/export", data={"csrf": token, "view": "all", "due_to": "soon"})
    assert bad.status_code == 400
    assert client.post("/export", data={"csrf": "forged", "view": "all"}).status_code == 403


def test_each_role_lands_on_its_own_home(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-auditor")
    assert client.get("/").headers["location"] == "/audit"
    sign_in(client, story, clock, "nyc-doc-admin")
    assert client.get("/").headers["location"] == "/admin/users"


def test_the_audit_log_filters_names_links_and_exports(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    first, _ = two
    verbs.acknowledge(built.desk, verbs.Acknowledge("nyc-doc-officer", first))
    sign_in(client, story, clock, "nyc-doc-auditor")
    page = client.get("/audit?who=nyc-doc-officer&what=instrument")
    assert page.status_code == 200
    assert "instrument.acknowledge" in page.text and "login" not in page.text.split("<tbody>")[1]
    assert "Test officer nyc-doc" in page.text  # the actor's name, not only the id
    assert f'href="/audit?object={first}"' in page.text  # to the entries about the object
    assert "detainer" in page.text  # the instrument named by its kind
    assert "Dario" not in page.text  # an auditor reads no personal data
    assert client.get("/audit?outcome=denied").text.count("<tr>") <= 2
    bad = client.get("/audit?since=yesterday&outcome=maybe")
    assert bad.status_code == 400 and "Enter a date" in bad.text and "Choose an outcome" in bad.text
    assert client.get("/audit?since=2020-01-15").text.count('scope="row"') == 0
    answer = client.get("/audit/export.csv?who=nyc-doc-officer&what=instrument")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows and {r["actor"] for r in rows} == {"nyc-doc-officer"}
    assert "detail" not in rows[0] and rows[0]["actor_name"] == "Test officer nyc-doc"
    exported = audit_actions(built, "audit.export")
    assert exported[-1].actor == "nyc-doc-auditor" and exported[-1].detail["rows"] == len(rows)
    sign_in(client, story, clock, "nyc-doc-officer")
    assert client.get("/audit/export.csv").status_code == 404


def test_no_form_field_takes_an_invisible_character(
    client: TestClient, story: Story, clock: FakeClock, two: tuple[str, str], built: App
) -> None:
    """A right-to-left override in a note would show readers another text than the one on
    record: refused with 422, saying which character and where, and nothing is kept."""
    first, _ = two
    with built.engine.connect() as db:
        case_id = db.scalar(select(orm.instruments.c.case_id).where(orm.instruments.c.id == first))
    sign_in(client, story, clock, "nyc-doc-legal")
    token = csrf(client.get(f"/cases/{case_id}/work").text)
    for hidden in ("\u202e", "\u200b", "\x1b"):
        sent = {"csrf": token, "note": f"Warrant{hidden} is administrative.\nSee file."}
        answer = client.post(f"/cases/{case_id}/notes", data=sent)
        assert answer.status_code == 422
        assert f"U+{ord(hidden):04X}" in answer.text and "at character 8" in answer.text
    assert audit_actions(built, "case.note") == []
    # Line breaks, tabs and the joiners Persian and Indic names need are text, not tricks.
    sent = {
        "csrf": token,
        "note": "Line one\n\tLine two: \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    }
    assert client.post(f"/cases/{case_id}/notes", data=sent).status_code == 303

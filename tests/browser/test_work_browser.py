"""Working the desk in Chromium: filters that survive a bookmark, sortable columns, bulk
acknowledge, a CSV download, assigning and reassigning, "My work", notes with their error
focus, and the auditor's home with its filters and export; axe-core on every state."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from tests.browser.conftest import Site, accessible, signed_in


@pytest.fixture(scope="module")
def issued(site: Site) -> tuple[str, str, str]:
    persons.book_person(
        site.built.desk,
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
    made = [
        verbs.issue_instrument(
            site.built.desk,
            verbs.IssueInstrument(
                "ice-nyc-officer",
                "detainer",
                "nyc-doc",
                f"nysid:{nysid}",
                ("hold", "disclose:release_date"),
                "administrative",
            ),
        )
        for nysid in (site.story.nysid, "90000002R")
    ]
    return made[0].id, made[1].id, made[0].case_id


def test_filters_sort_bulk_acknowledge_and_export(
    browser: Any, site: Site, issued: tuple[str, str, str], tmp_path: Path
) -> None:
    first, second, _ = issued
    page = signed_in(browser, site, "nyc-doc-officer")
    assert 'class="tab-count">2<' in page.content()
    accessible(page)
    # Filters by keyboard; the URL holds them, so the view can be bookmarked and reopened.
    page.click("summary:text('Filters')")
    page.select_option("#status", "issued")
    page.focus("#filter-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**status=issued**")
    bookmarked = page.url
    assert "Dario" not in bookmarked and "9000000" not in bookmarked
    accessible(page)
    again = browser.new_context(base_url=site.url)
    again.add_cookies(page.context.cookies())
    reopened = again.new_page()
    reopened.goto(bookmarked)
    assert reopened.locator("#status").input_value() == "issued"
    assert first in reopened.content() and second in reopened.content()
    # Sortable columns: one click sorts, a second reverses (names are sealed: no sort by them).
    names = page.locator("tbody th a").all_inner_texts()
    page.click("th >> text=Due")
    page.wait_for_url("**sort=due**")
    assert page.locator('th[aria-sort="ascending"]').count() == 1
    page.click("th >> text=Due")
    page.wait_for_url("**sort=-due**")
    assert page.locator('th[aria-sort="descending"]').count() == 1
    assert sorted(page.locator("tbody th a").all_inner_texts()) == sorted(names)
    assert page.locator("th >> text=Person").locator("a").count() == 0
    accessible(page)
    # The CSV download holds the rows the page shows.
    with page.expect_download() as download:
        page.click("text=Download CSV")
    saved = tmp_path / "list.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert [r["instrument"] for r in rows] == [
        r.split()[0] for r in page.locator("tbody td .font-mono-3xs").all_inner_texts()
    ]
    # Bulk acknowledge: ticked by keyboard, one action, one result per row.
    page.focus(f"#pick-{first}")
    page.keyboard.press("Space")
    page.check(f"#pick-{second}")
    page.click("text=Acknowledge selected")
    # Every one acknowledged: back to the list by GET (a reload acknowledges nothing again).
    page.wait_for_url("**/?view=*done=acknowledged-many&n=2*")
    assert page.locator("#done").inner_text().startswith("2 instrument(s) acknowledged")
    accessible(page)


def test_assign_reassign_my_work_and_notes(
    browser: Any, site: Site, issued: tuple[str, str, str]
) -> None:
    first, _, case_id = issued
    legal = signed_in(browser, site, "nyc-doc-legal")
    legal.goto(f"/cases/{case_id}/work")
    accessible(legal)
    legal.select_option(f"#assignee-{first}", "nyc-doc-officer")
    legal.click(f"#instrument-{first} button[type=submit]")
    legal.wait_for_url("**done=assign**")
    assert legal.locator(f"#instrument-{first} td").first.inner_text() == "nyc-doc-officer"
    accessible(legal)
    legal.select_option(f"#assignee-{first}", "nyc-doc-legal")
    legal.click(f"#instrument-{first} button[type=submit]")
    legal.wait_for_url("**done=assign**")
    assert legal.locator(f"#instrument-{first} td").first.inner_text() == "nyc-doc-legal"
    legal.goto("/")
    legal.click("a.usa-button:has-text('My work')")
    legal.wait_for_url("**view=mine**")
    assert first in legal.content()
    accessible(legal)
    # A note: a blank one is refused with the error summary focused, linked to the field.
    legal.goto(f"/cases/{case_id}/work")
    legal.evaluate("document.querySelector('#note').removeAttribute('required')")
    legal.fill("#note", "   ")
    legal.click("text=Add note")
    legal.wait_for_selector("#note-error")
    assert legal.evaluate("document.activeElement.getAttribute('role')") == "alert"
    accessible(legal)
    legal.click("a[href='#note']")
    assert legal.evaluate("document.activeElement.id") == "note"
    legal.keyboard.type("Confirm the warrant with the requester.")
    legal.click("text=Add note")
    legal.wait_for_url("**done=note**")
    assert "Confirm the warrant with the requester." in legal.content()
    accessible(legal)
    # The requester sees neither the custodian's assignee nor its note.
    ice = signed_in(browser, site, "ice-nyc-officer")
    ice.goto(f"/cases/{case_id}/work")
    assert "nyc-doc-legal" not in ice.content() and "Confirm the warrant" not in ice.content()
    ice.goto("/?view=unassigned")
    assert first in ice.content()
    accessible(ice)


def test_the_auditor_lands_on_the_audit_log_and_filters_it(
    browser: Any, site: Site, issued: tuple[str, str, str], tmp_path: Path
) -> None:
    auditor = signed_in(browser, site, "nyc-doc-auditor")
    assert auditor.url.endswith("/audit")
    accessible(auditor)
    auditor.fill("#who", "nyc-doc-officer")
    auditor.select_option("#outcome", "success")
    auditor.focus("#audit-filters button[type=submit]")
    auditor.keyboard.press("Enter")
    auditor.wait_for_url("**who=nyc-doc-officer**")
    actors = auditor.locator("tbody td:nth-child(3) .font-mono-3xs").all_inner_texts()
    assert actors and set(actors) == {"nyc-doc-officer"}
    accessible(auditor)
    with auditor.expect_download() as download:
        auditor.click("text=Download CSV")
    saved = tmp_path / "audit.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert rows and {r["actor"] for r in rows} == {"nyc-doc-officer"}
    auditor.locator("tbody td:nth-child(4) a").first.click()
    auditor.wait_for_url("**what=**")
    accessible(auditor)
    auditor.goto("/audit?since=nonsense")
    assert "Enter a date" in auditor.content()
    accessible(auditor)

"""The home list a page at a time over HTTP: a pager of previous and next whatever the length
of the list, every row once from the first page to the last and back, counts that stop at a
cap, and the people due for release within 48 hours above the list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.domain.persons import Charge
from lexdesk.queries import desk_lists
from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story

FAMILIES = ("Abbotsly", "Brennmoor", "Castellow", "Drummock", "Ellanby", "Fenwright")
ROW = re.compile(r'<th scope="row"><a class="usa-link" href="/cases/[^"#]+#([^"]+)"')
PAGER = re.compile(r'<nav aria-label="Pages".*?</nav>', re.S)


@pytest.fixture
def detainers(built: App, story: Story) -> list[str]:
    """Seven detainers to the Department: the story's person and six more."""
    nysids = [story.nysid]
    for number, family in enumerate(FAMILIES):
        nysid = f"9000020{number}Q"
        persons.book_person(
            built.desk,
            persons.BookPerson(
                actor="nyc-doc-officer",
                family_name=family,
                given_name="Testgiven",
                arrested_on=date(2019, 11, 20),
                booked_at=datetime(2019, 11, 20, 19, tzinfo=UTC),
                expected_release_at=datetime(2020, 2, 1 + 3 * number, 13, tzinfo=UTC),
                identifiers={"nysid": nysid},
                charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
            ),
        )
        nysids.append(nysid)
    issued = []
    for nysid in nysids:
        command = verbs.IssueInstrument(
            "ice-nyc-officer",
            "detainer",
            "nyc-doc",
            f"nysid:{nysid}",
            ("hold", "notify_release"),
            "administrative",
        )
        issued.append(verbs.issue_instrument(built.desk, command).id)
    return issued


def pager_links(page: str) -> list[tuple[str, str]]:
    """The pager's links, as (text, address)."""
    found = PAGER.search(page)
    if not found:
        return []
    links = re.findall(r'<a href="([^"]+)"[^>]*>(?:<span[^>]*>)?([^<]+)<', found.group(0))
    return [(text, href.replace("&amp;", "&")) for href, text in links]


def link_named(page: str, text: str) -> str | None:
    return next((href for name, href in pager_links(page) if name == text), None)


@pytest.mark.parametrize("sort", ["urgency", "kind", "-due", "newest"])
def test_the_pager_is_previous_and_next_and_walks_every_row_once(
    client: TestClient,
    story: Story,
    clock: FakeClock,
    detainers: list[str],
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    monkeypatch.setattr(desk_lists, "PAGE_SIZE", 2)
    sign_in(client, story, clock, "nyc-doc-officer")
    address: str | None = f"/?view=inbox&sort={sort}"
    pages: list[list[str]] = []
    while address:
        page = client.get(address)
        assert page.status_code == 200
        # Never a link for every page: at most the first, the previous and the next.
        assert len(pager_links(page.text)) <= 3
        pages.append(ROW.findall(page.text))
        assert 1 <= len(pages[-1]) <= 2
        if len(pages) > 1:
            assert link_named(page.text, "First page") and link_named(page.text, "Previous page")
        address = link_named(page.text, "Next page")
    seen = [row for rows in pages for row in rows]
    assert sorted(seen) == sorted(detainers) and len(pages) == 4
    # ...and back from the last page to the first, the same pages in the same order.
    back = link_named(page.text, "Previous page")
    for expected in reversed(pages[:-1]):
        assert back is not None
        earlier = client.get(back)
        assert ROW.findall(earlier.text) == expected
        back = link_named(earlier.text, "Previous page")
    assert back is None
    # The addresses name rows by their instruments, never a person.
    for text, href in pager_links(page.text):
        assert not any(family.upper() in href.upper() for family in FAMILIES), text


def test_counts_stop_at_a_cap_and_say_so(
    client: TestClient,
    story: Story,
    clock: FakeClock,
    detainers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/").text
    assert "7 instruments." in page and '<span class="tab-count">7</span>' in page
    monkeypatch.setattr(desk_lists, "COUNT_CAP", 5)
    page = client.get("/").text
    assert "5+ instruments." in page and '<span class="tab-count">5+</span>' in page


def test_releases_within_48_hours_are_listed_above_the_list(
    client: TestClient, story: Story, clock: FakeClock, detainers: list[str]
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    assert "Due for release within 48 hours" not in client.get("/").text
    clock.moment = datetime(2020, 2, 3, 15, tzinfo=UTC)  # Brennmoor goes on 4 February
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/").text
    panel = page.split("Due for release within 48 hours")[1].split("</section>")[0]
    assert "BRENNMOOR, Testgiven" in panel and "CASTELLOW" not in panel
    assert page.index("Due for release within 48 hours") < page.index("<table")
    # Sorted otherwise, the list keeps them in their place, marked, with no list above it.
    by_kind = client.get("/?view=inbox&sort=kind").text
    assert "Due for release within 48 hours" not in by_kind
    assert "Release within 48 h" in by_kind
    # The requester, told no release, sees neither.
    sign_in(client, story, clock, "ice-nyc-officer")
    issued = client.get("/").text
    assert "Due for release within 48 hours" not in issued and "Release within 48 h" not in issued

"""Another agency's case cannot be opened by URL: for each kind of party, an outsider of that
kind gets the same "no such case" page as for a case that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from lexdesk.domain.instruments import Instrument
from lexdesk.services import instruments as verbs
from tests.browser.conftest import Site, accessible, signed_in


@pytest.fixture(scope="module")
def detainer(site: Site) -> Instrument:
    command = verbs.IssueInstrument(
        "ice-nyc-officer",
        "detainer",
        "nyc-doc",
        f"nysid:{site.story.nysid}",
        ("notify_release", "disclose:release_date"),
        "administrative",
    )
    return verbs.issue_instrument(site.built.desk, command)


@pytest.mark.parametrize(
    "outsider", ["ice-chi-legal", "nypd-legal", "usao-sdny-legal", "sdny-legal"]
)
def test_an_outsider_cannot_open_the_case_by_url(
    browser: Any, site: Site, detainer: Instrument, outsider: str
) -> None:
    page = signed_in(browser, site, outsider)
    for url in (
        f"/cases/{detainer.case_id}",
        f"/instruments/{detainer.id}/determine",
        f"/instruments/{detainer.id}/escalate",
    ):
        response = page.goto(url)
        assert response.status == 404, url
        assert "There is no such case" in page.content()
        assert "QUINTAL" not in page.content()
    accessible(page)
    page.context.close()

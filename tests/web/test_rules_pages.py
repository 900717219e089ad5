"""The law's pages for legal staff, over HTTP: the packs, each rule's verification and source,
and the changes between two versions; other roles find no such page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story


def test_legal_staff_see_the_packs_from_the_header(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    home = client.get("/")
    assert 'href="/rules"' in home.text
    page = client.get("/rules")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    for pack_id in ("us-ny-nyc-doc", "us-ny", "us-federal", "us-il", "us-ia"):
        assert f'href="/rules/{pack_id}"' in page.text


def test_the_sources_page_names_each_rules_status_and_provenance(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    page = client.get("/rules/us-ny-nyc-doc")
    assert page.status_code == 200
    text = page.text
    assert "Version 2012-02-20" in text and "Version 2014-12-14" in text
    assert re.search(r"NYC-DOC-HOLD-01.*?usa-tag bg-green\">verified", text, re.S)
    assert re.search(r"NYC-DOC-2011-HOLD-02.*?usa-tag\">unconfirmed", text, re.S)
    assert "nyccharter_merged_test" in text  # where the verified text was read
    assert "162 of 163 entries verified" in text
    # Each status is explained in words.
    assert "transcribed from the law itself" in text and "check it against the law at its" in text
    assert "NY PL 230.34-A" in text  # the one unconfirmed entry, with its reason
    assert 'href="/rules/us-ny-nyc-doc/diff?before=2013-06-16&amp;after=2014-12-14"' in text


def test_the_diff_page_shows_rules_added_removed_and_changed(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    page = client.get("/rules/us-ny-nyc-nypd/diff?before=2014-12-14&after=2017-12-01")
    assert page.status_code == 200
    text = page.text
    assert "+ <strong>NYC-10178-01</strong>" in text and "§ 10-178(c), (e)" in text
    assert "− <strong>NYC-NYPD-INFO-01</strong>" in text
    assert re.search(r"NYC-NYPD-HOLD-03.*?exception to", text, re.S)
    assert "NYC-10178-RECORD" in text


@pytest.mark.parametrize(
    "url",
    [
        "/rules/us-nowhere",
        "/rules/us-tx/diff?before=2017-09-01&after=2099-01-01",
        "/rules/us-tx/diff",
    ],
)
def test_an_unknown_pack_or_version_is_no_page(
    client: TestClient, story: Story, clock: FakeClock, url: str
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("username", ["nyc-doc-officer", "nyc-doc-auditor", "nyc-doc-admin"])
def test_other_roles_find_no_such_page(
    client: TestClient, story: Story, clock: FakeClock, username: str
) -> None:
    sign_in(client, story, clock, username)
    assert 'href="/rules"' not in client.get("/").text
    for url in ("/rules", "/rules/us-tx", "/rules/us-tx/diff?before=2017-09-01&after=2025-01-01"):
        assert client.get(url).status_code == 404, url


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/rules")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")

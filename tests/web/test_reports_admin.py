"""Transparency reports for the agency (issue 12, item 5): an administrator previews a report
computed from the record, then publishes exactly what was previewed; a preview made stale by
late events is refused by GET with words; no one else reaches the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import confirm, sent_back, sign_in
from tests.web.story import Story


def csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def digest(page: str) -> str:
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert found
    return found.group(1)


def test_an_administrator_previews_then_publishes_what_was_previewed(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    assert client.get("/admin/reports").status_code == 404
    sign_in(client, story, clock, "nyc-doc-admin")
    confirm(client, story, clock, "nyc-doc-admin", "/admin/reports")
    page = client.get("/admin/reports").text
    assert 'value="general"' in page and "Preview, not published" not in page
    bad = client.get("/admin/reports?report=general&period=someday").text
    assert 'id="period-error"' in bad and "is not a calendar year" in bad
    preview = client.get("/admin/reports?report=general&period=2020").text
    assert "Preview, not published" in preview and 'id="suppression-rule"' in preview
    form = {"csrf": csrf(preview), "report": "general", "period": "2020", "digest": digest(preview)}
    # An event arrives between the preview and the click: the figures are looked at again.
    verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    stale = sent_back(client, client.post("/admin/reports", data=form))
    assert "The figures changed since this preview" in stale.text
    assert "Preview, not published" in stale.text  # the preview again, with the new figures
    done = client.post("/admin/reports", data=form | {"digest": digest(stale.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/transparency/rep-")
    public = client.get(done.headers["location"]).text
    assert "Published: this is the edition everyone now reads." in public and "Edition 1" in public
    again = client.post("/admin/reports", data=form | {"digest": digest(stale.text)})
    assert "note" in sent_back(client, again).text.lower()


def test_an_administrator_schedules_a_report_and_stops_the_schedule(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-admin")
    confirm(client, story, clock, "nyc-doc-admin", "/admin/reports")
    page = client.get("/admin/reports").text
    assert "Publish on a schedule" in page and 'id="after-days-general"' in page
    assert "Not scheduled: published only by hand." in page
    form = {"csrf": csrf(page), "report": "general", "action": "schedule"}
    refused = sent_back(
        client, client.post("/admin/reports/schedule", data=form | {"after_days": "soon"})
    )
    assert 'id="after-days-general-error"' in refused.text and "whole number" in refused.text
    assert 'value="soon"' in refused.text  # what was typed comes back
    assert 'href="#after-days-general"' in refused.text  # the summary leads to the field
    too_late = client.post("/admin/reports/schedule", data=form | {"after_days": "400"})
    assert "from 0 to 365 days" in sent_back(client, too_late).text
    done = client.post("/admin/reports/schedule", data=form | {"after_days": "45"})
    assert done.status_code == 303 and "done=scheduled" in done.headers["location"]
    page = client.get(done.headers["location"]).text
    assert "Published 45 days after each period ends, as nyc-doc-admin." in page
    stop = client.post("/admin/reports/schedule", data=form | {"action": "stop"})
    assert "done=unscheduled" in stop.headers["location"]
    assert "Not scheduled" in client.get(stop.headers["location"]).text


def test_only_an_administrator_schedules(
    client: TestClient, story: Story, clock: FakeClock
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get("/").text
    form = {"csrf": csrf(page), "report": "general", "action": "schedule", "after_days": "30"}
    assert client.post("/admin/reports/schedule", data=form).status_code in (403, 404)

"""``lexdesk reports``: list, compute and publish, on the demo's record (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from lexdesk.adapters import orm
from tests.e2e.test_cli import Shell, database, demo_template, sh

__all__ = ["database", "demo_template", "sh"]


def test_list_names_each_definition_with_its_citation_and_period_kind(sh: Shell) -> None:
    listed = {row["id"]: row for row in sh.json("reports", "list")}
    assert listed["nyc-nypd-14-154"]["citation"] == "N.Y.C. Admin. Code § 14-154(f)"
    assert listed["nyc-nypd-14-154"]["period_kind"] == "fiscal_year"
    assert listed["nyc-10-178"]["period_kind"] == "quarter"
    assert listed["general"]["period_kind"] == "calendar_year"


def test_compute_prints_the_figures_with_watermark_and_digest(sh: Shell) -> None:
    report = sh.json(
        "reports", "compute", "nyc-doc-9-131", "--agency", "nyc-doc", "--period", "FY2020"
    )
    assert report["period"] == {
        "label": "FY2020",
        "kind": "fiscal_year",
        "first_day": "2019-07-01",
        "last_day": "2020-06-30",
    }
    assert len(report["digest"]) == 64
    assert report["watermark"]["event_id"] > 0
    figures = {f["id"]: f for f in report["figures"]}
    assert figures["scaap_funding"]["not_in_record"]
    assert "below 5" in report["suppression"]["rule"]
    again = sh.json(
        "reports", "compute", "nyc-doc-9-131", "--agency", "nyc-doc", "--period", "FY2020"
    )
    assert again["digest"] == report["digest"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nyc-doc-9-131", "--agency", "nyc-doc", "--period", "2020"), "not a fiscal year"),
        (("nyc-doc-9-131", "--agency", "nyc-doc", "--period", "FY20x"), "write e.g. FY2020"),
        (("nope", "--agency", "nyc-doc", "--period", "2020"), "no report 'nope'"),
        (("general", "--agency", "nobody", "--period", "2020"), "no agency 'nobody'"),
        (("nyc-doc-9-131", "--agency", "nypd", "--period", "FY2020"), "us-ny-nyc-doc"),
    ],
)
def test_bad_input_exits_2_with_one_line(sh: Shell, args: tuple[str, ...], message: str) -> None:
    error = sh("reports", "compute", *args, "--json", code=2)
    assert message in error
    assert error.count("\n") == 1


def test_an_administrator_publishes_once_and_nothing_else_can(sh: Shell, database: str) -> None:
    args = ("reports", "publish", "general", "--agency", "nyc-doc", "--period", "2020")
    first = sh.json(*args, "--as", "nyc-doc-admin")
    assert first["edition"] == 1 and first["published_by"] == "nyc-doc-admin"
    assert "nothing to correct" in sh(*args, "--as", "nyc-doc-admin", code=2)
    assert "may not report:publish" in sh(*args, "--as", "nyc-doc-legal", code=2)
    assert "only the agency's own" in sh(*args, "--as", "nypd-admin", code=2)
    published = sh.json("reports", "published")
    assert [p["id"] for p in published] == [first["id"]]
    engine = create_engine(database)
    with engine.connect() as db:
        entries = db.execute(
            select(orm.audit_log).where(orm.audit_log.c.action == "report.publish")
        ).all()
    entry = next(e for e in entries if e.outcome == "success")
    refused = sorted(e.outcome for e in entries if e.outcome != "success")
    assert refused == ["denied", "denied", "failure"]  # two refusals, one republication
    assert entry.detail["digest"] == first["digest"]
    assert entry.detail["on_behalf_of"] == "nyc-doc-admin"
    engine.dispose()


def test_a_published_report_is_reproduced_and_late_events_are_named(sh: Shell) -> None:
    args = ("--agency", "nyc-doc", "--period", "2020", "--as", "nyc-doc-admin")
    first = sh.json("reports", "publish", "general", *args)
    checked = sh.json("reports", "verify", first["id"])
    assert checked["reproduced"] and checked["current_digest"] == first["digest"]
    assert checked["late_events"] == [] and checked["changed_figures"] == []


def test_an_administrator_schedules_and_stops_a_report_and_the_worker_keeps_to_it(
    sh: Shell,
) -> None:
    made = sh.json("reports", "schedule", "general", "--as", "nyc-doc-admin", "--after-days", "30")
    assert made["delay_days"] == 30 and made["scheduled_by"] == "nyc-doc-admin"
    [listed] = sh.json("reports", "schedules", "--agency", "nyc-doc")
    assert listed["report_id"] == "general" and listed["last_tried_at"] is None
    # Made today, it publishes no period whose day had already passed: nothing yet.
    assert sh.json("worker", "--once")["sweep"]["published"] == 0
    assert sh.json("reports", "published") == []
    neither = sh("reports", "schedule", "general", "--as", "nyc-doc-admin", code=2)
    assert "either --after-days N or --stop" in neither
    assert "may not report:publish" in sh(
        "reports", "schedule", "general", "--as", "nyc-doc-legal", "--after-days", "5", code=2
    )
    stopped = sh.json("reports", "schedule", "general", "--as", "nyc-doc-admin", "--stop")
    assert stopped == {"report_id": "general", "scheduled": False}
    assert "no report is published on a schedule" in sh("reports", "schedules")


def test_tally_brings_the_reports_tallies_up_to_date_and_changes_no_figure(sh: Shell) -> None:
    args = ("reports", "compute", "general", "--agency", "nyc-doc", "--period", "2020")
    before = sh.json(*args)
    done = sh.json("reports", "tally")
    assert done["tallied_events"] > 0
    assert sh.json("reports", "tally")["tallied_events"] == 0
    assert sh.json(*args)["figures"] == before["figures"]

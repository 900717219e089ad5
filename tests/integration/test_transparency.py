"""The transparency reports computed from a synthetic record whose figures are counted by hand
(tests/report_ladder.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, update
from sqlalchemy.exc import DBAPIError

from lexdesk.adapters import orm
from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.reports.periods import parse_period
from lexdesk.domain.reports.results import ComputedReport
from lexdesk.queries.published_reports import published
from lexdesk.queries.transparency import agency_profile, compute_report, late_events
from tests.report_ladder import Ladder, at, build_ladder


def _compute(
    engine: Engine,
    report_id: str,
    period: str,
    *,
    threshold: int | None = None,
    as_of: int | None = None,
) -> ComputedReport:
    definition = load_reports().get(report_id)
    if threshold is not None:
        definition = replace(definition, threshold=threshold)
    with engine.connect() as db:
        return compute_report(
            db,
            definition,
            agency_profile(db, "doc"),
            parse_period(period, definition.period),
            as_of=as_of,
        )


def _cells(report: ComputedReport, figure_id: str) -> dict[tuple[str, ...], Any]:
    found = next(f for f in report.figures if f.figure.id == figure_id)
    return {tuple(v for _, v in cell.by): cell.value for cell in found.cells}


@pytest.fixture
def ladder(engine: Engine) -> Engine:
    with engine.begin() as db:
        build_ladder(db)
    return engine


def test_the_doc_report_for_fy2020_counts_what_the_record_holds(ladder: Engine) -> None:
    report = _compute(ladder, "nyc-doc-9-131", "FY2020", threshold=1)
    assert _cells(report, "detainers_lodged") == {
        ("administrative",): 4,
        ("judicial",): 1,
        ("none",): 1,
        ("all",): 6,
    }
    assert _cells(report, "persons_held_beyond_release") == {(): 1}
    assert _cells(report, "persons_transferred") == {(): 1}
    # D2, D3 and D4 declined, D3 and D4 about one person; the May 2019 detainer is FY2019.
    assert _cells(report, "persons_detainer_not_honored") == {(): 2}
    assert _cells(report, "information_requests") == {
        ("information_request",): 2,
        ("notification_request",): 1,
        ("all",): 3,
    }
    assert _cells(report, "responses_honoring_requests") == {
        ("information_request",): 1,
        ("notification_request",): 1,
        ("all",): 2,
    }
    assert _cells(report, "scaap_funding") == {}


def test_the_general_report_counts_overrides_lapses_escalations_and_rulings(
    ladder: Engine,
) -> None:
    report = _compute(ladder, "general", "2020", threshold=1)
    assert _cells(report, "instruments_received") == {
        ("administrative_subpoena",): 1,
        ("detainer",): 6,
        ("information_request",): 2,
        ("notification_request",): 1,
        ("all",): 10,
    }
    answers = _cells(report, "answers_by_kind_and_outcome")
    assert answers[("detainer", "declined")] == 3
    assert answers[("detainer", "complied")] == 1
    assert answers[("notification_request", "partially_complied")] == 1
    assert answers[("information_request", "all")] == 2
    assert answers[("all", "declined")] == 4
    assert answers[("all", "all")] == 7
    warrants = _cells(report, "answers_by_warrant")
    assert warrants[("judicial", "complied")] == 1
    assert warrants[("administrative", "declined")] == 3
    assert warrants[("none", "all")] == 3
    assert _cells(report, "answers_by_rule") == {
        ("NYC-DOC-HOLD-01",): 4,
        ("NYC-DOC-INFO-01",): 2,
        ("none",): 1,
        ("all",): 7,
    }
    assert _cells(report, "overrides") == {("information_request",): 1, ("all",): 1}
    assert _cells(report, "lapsed_unanswered") == {("detainer",): 1, ("all",): 1}
    assert _cells(report, "escalations") == {("detainer",): 1, ("all",): 1}
    assert _cells(report, "court_outcomes") == {("granted",): 1, ("all",): 1}
    # 2, 24, 24, 24, 48, 48, 72 hours
    assert _cells(report, "median_hours_to_answer") == {(): 24.0}


def test_the_10_178_quarter_is_broken_down_by_requesting_agency(ladder: Engine) -> None:
    report = _compute(ladder, "nyc-10-178", "2020-Q1", threshold=1)
    received = _cells(report, "requests_received")
    assert received[("ice", "detainer")] == 5
    assert received[("ice2", "detainer")] == 1
    assert received[("ice2", "information_request")] == 0
    assert received[("all", "all")] == 10
    actions = _cells(report, "actions_taken")
    assert actions[("ice", "declined")] == 4
    assert actions[("ice", "all")] == 7
    assert _cells(report, "requests_lapsed") == {("ice",): 1, ("all",): 1}


def test_small_counts_are_withheld_on_the_threshold_of_the_definition(ladder: Engine) -> None:
    report = _compute(ladder, "general", "2020")
    received = _cells(report, "instruments_received")
    # 6 detainers and 10 in all are published; 1, 2 and 1 are withheld.
    assert received == {
        ("administrative_subpoena",): None,
        ("detainer",): 6,
        ("information_request",): None,
        ("notification_request",): None,
        ("all",): 10,
    }
    assert _cells(report, "median_hours_to_answer") == {(): 24.0}
    assert "below 5" in report.suppression_rule
    assert "Synthetic" not in str(report.to_json())  # nothing of a person, not even a name


def test_recomputed_at_its_watermark_a_report_is_the_same_and_late_events_are_named(
    ladder: Engine,
) -> None:
    first = _compute(ladder, "general", "2020", threshold=1)
    assert first.watermark.event_id > 0
    with ladder.begin() as db:
        late = Ladder(db, itertools.count(1000))
        case = late.case(late.person())
        late.instrument(case, "detainer", "2020-03-30 15", warrant="judicial")
    again = _compute(ladder, "general", "2020", threshold=1, as_of=first.watermark.event_id)
    assert again.digest == first.digest
    now = _compute(ladder, "general", "2020", threshold=1)
    assert now.digest != first.digest
    assert _cells(now, "instruments_received")[("detainer",)] == 7
    definition = load_reports().get("general")
    with ladder.connect() as db:
        changed = late_events(
            db,
            definition,
            agency_profile(db, "doc"),
            parse_period("2020", definition.period),
            first.watermark.event_id,
        )
    assert [(e["transition"], e["kind"]) for e in changed] == [("issue", "detainer")]


def test_a_published_report_cannot_be_changed_or_deleted(
    ladder: Engine, owner_engine: Engine
) -> None:
    report = _compute(ladder, "general", "2020")
    document = report.to_json()
    with ladder.begin() as db:
        db.execute(
            insert(orm.published_reports).values(
                id="rep-1",
                report_id="general",
                report_version="1",
                agency_id="doc",
                period="2020",
                edition=1,
                watermark_event_id=report.watermark.event_id,
                watermark_at=report.watermark.at,
                digest=report.digest,
                document=document,
                note="",
                published_by="doc-admin",
                published_at=at("2021-01-05 15"),
            )
        )
    for statement in (
        update(orm.published_reports).values(note="changed"),
        delete(orm.published_reports),
    ):
        # Not even by the owner (the application's role has no grant to try).
        with pytest.raises(DBAPIError, match="immutable"), owner_engine.begin() as db:
            db.execute(statement)
    with ladder.connect() as db:
        stored = published(db, "rep-1")
    assert stored.digest == report.digest and stored.document == document

"""Report definitions as data: every shipped file loads, and a malformed one fails with its file,
line and key."""

from __future__ import annotations

from datetime import date

import pytest

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.definitions import (
    Base,
    PeriodKind,
    ReportDefinitionError,
    build_report_catalog,
    parse_definition,
)
from lexdesk.domain.reports.periods import parse_period

MINIMAL = """\
id: sample
version: "1"
title: A sample
citation: Nowhere § 1
url: https://example.org/law
applies_to:
  agency_kinds: [custodial]
period: calendar_year
suppression:
  threshold: 5
sources:
  - title: The law
    url: https://example.org/law
    status: text
verification:
  status: unconfirmed
  source: a summary
figures:
  - id: received
    label: Received
    citation: Nowhere § 1(a)
    definition: Detainers received.
    measure: {base: received, kinds: [detainer]}
    verification:
      status: unconfirmed
      source: a summary
"""


def test_every_shipped_report_loads_with_the_nyc_reports_and_the_general_one() -> None:
    catalog = load_reports()
    assert catalog.ids() == [
        "general",
        "nyc-10-178",
        "nyc-doc-9-131",
        "nyc-dop-9-205",
        "nyc-nypd-14-154",
    ]
    doc = catalog.get("nyc-doc-9-131")
    assert doc.period is PeriodKind.FISCAL_YEAR
    assert doc.verification.status == "verified"
    assert doc.applies_to("custodial", "us-ny-nyc-doc")
    assert not doc.applies_to("custodial", "us-ca")
    assert catalog.get("nyc-10-178").period is PeriodKind.QUARTER


def test_interpretations_are_unconfirmed_and_say_why() -> None:
    held = load_reports().get("nyc-nypd-14-154").figure("persons_held_beyond_release")
    assert held.verification.status == "unconfirmed"
    assert "Interpretation" in held.verification.source


def test_the_general_report_counts_overrides_lapses_and_escalations() -> None:
    general = load_reports().get("general")
    bases = {f.id: f.measure.base for f in general.figures if f.measure}
    assert bases["lapsed_unanswered"] is Base.LAPSED
    assert bases["escalations"] is Base.ESCALATED
    overrides = general.figure("overrides").measure
    assert overrides is not None and overrides.override


def test_figures_the_record_cannot_supply_say_so() -> None:
    scaap = load_reports().get("nyc-doc-9-131").figure("scaap_funding")
    assert scaap.measure is None
    assert "not part of the record" in scaap.not_in_record


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("period: calendar_year", "period: monthly"), "sample.yaml:8: period: unknown period"),
        (("threshold: 5", "threshold: 0"), "threshold: a threshold is a count"),
        (("kinds: [detainer]", "kinds: [letter]"), "unknown instrument kind 'letter'"),
        (("    definition:", "    colour: red\n    definition:"), "unknown key"),
        (
            ("kinds: [detainer]}", "kinds: [detainer]}\n    by: [outcome]"),
            "a received figure cannot be broken down by outcome",
        ),
        (
            ("kinds: [detainer]}", "kinds: [detainer], count: persons}\n    by: [kind]"),
            "a count of persons is not broken down",
        ),
        (
            ("base: received,", "base: lapsed, outcomes: [declined],"),
            "outcomes, performed and override filter answers",
        ),
        (
            (
                "  status: unconfirmed\n  source: a summary\nfigures",
                "  status: verified\n  source: x\nfigures",
            ),
            "a verified text needs its provenance",
        ),
    ],
)
def test_a_malformed_definition_names_its_file_line_and_key(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in MINIMAL
    with pytest.raises(ReportDefinitionError, match=message.replace("(", r"\(")):
        parse_definition(MINIMAL.replace(old, new, 1), "sample.yaml")


def test_a_file_must_be_named_for_its_id_and_version() -> None:
    with pytest.raises(ReportDefinitionError, match=r"must be sample/1\.yaml"):
        build_report_catalog({"other": [("other/1.yaml", MINIMAL)]})


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2020", PeriodKind.CALENDAR_YEAR, date(2020, 1, 1), date(2021, 1, 1)),
        ("FY2020", PeriodKind.FISCAL_YEAR, date(2019, 7, 1), date(2020, 7, 1)),
        ("fy2020", PeriodKind.FISCAL_YEAR, date(2019, 7, 1), date(2020, 7, 1)),
        ("2020-Q1", PeriodKind.QUARTER, date(2020, 1, 1), date(2020, 4, 1)),
        ("2020-Q4", PeriodKind.QUARTER, date(2020, 10, 1), date(2021, 1, 1)),
    ],
)
def test_periods(text: str, kind: PeriodKind, start: date, end: date) -> None:
    period = parse_period(text, kind)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2020", PeriodKind.FISCAL_YEAR),
        ("2020-Q5", PeriodKind.QUARTER),
        ("FY20", PeriodKind.FISCAL_YEAR),
    ],
)
def test_a_period_of_the_wrong_kind_is_refused_with_an_example(text: str, kind: PeriodKind) -> None:
    with pytest.raises(InvalidInput, match=r"write e\.g\."):
        parse_period(text, kind)

"""A computed report's cells, totals and digest, from raw counts (no database)."""

from __future__ import annotations

from dataclasses import replace

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.reports.periods import parse_period
from lexdesk.domain.reports.results import RawFigure, Watermark, assemble


def test_the_digest_covers_what_is_published_and_changes_with_it() -> None:
    definition = load_reports().get("nyc-nypd-14-154")
    period = parse_period("FY2020", definition.period)
    raw = {"detainers_received": RawFigure({(): 12})}
    first = assemble(definition, "nypd", period, Watermark(7, None), raw)
    assert first.digest == assemble(definition, "nypd", period, Watermark(7, None), raw).digest
    other = assemble(
        definition, "nypd", period, Watermark(7, None), {"detainers_received": RawFigure({(): 13})}
    )
    assert other.digest != first.digest
    later = assemble(definition, "nypd", period, Watermark(8, None), raw)
    assert later.digest != first.digest


def test_a_withheld_count_is_not_in_the_digested_document() -> None:
    definition = load_reports().get("nyc-nypd-14-154")
    period = parse_period("FY2020", definition.period)
    report = assemble(
        definition, "nypd", period, Watermark(1, None), {"detainers_received": RawFigure({(): 3})}
    )
    cell = report.figures[0].cells[0]
    assert (cell.value, cell.suppressed) == (None, True)
    assert report.published()["figures"][0]["cells"] == [[{}, None, True]]


def test_a_two_way_figure_has_row_column_and_grand_totals() -> None:
    definition = replace(load_reports().get("general"), threshold=1)
    period = parse_period("2020", definition.period)
    raw = {
        "answers_by_kind_and_outcome": RawFigure(
            {("detainer", "declined"): 3, ("detainer", "complied"): 1}
        )
    }
    report = assemble(definition, "doc", period, Watermark(1, None), raw)
    figure = next(f for f in report.figures if f.figure.id == "answers_by_kind_and_outcome")
    cells = {tuple(v for _, v in c.by): c.value for c in figure.cells}
    assert cells == {
        ("detainer", "complied"): 1,
        ("detainer", "declined"): 3,
        ("detainer", "all"): 4,
        ("all", "complied"): 1,
        ("all", "declined"): 3,
        ("all", "all"): 4,
    }
    assert figure.total is not None and figure.total.value == 4

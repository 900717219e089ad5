"""The reports' daily tallies (adapters.report_tallies) on SQLite and PostgreSQL: every report
that applies, for every period of the record, gives exactly the figures counted from the events
alone, before and after a refresh, with events recorded after the tallies' mark, and as of a
watermark older than the mark; a refresh stops at what the previous one saw."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from lexdesk.adapters import orm
from lexdesk.adapters import report_tallies as tallies
from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.reports.definitions import (
    Base,
    Dimension,
    Measure,
    PeriodKind,
    ReportDefinition,
)
from lexdesk.domain.reports.periods import parse_period
from lexdesk.domain.vocabulary import InstrumentKind, Outcome
from lexdesk.queries.transparency import agency_profile, compute_report
from tests.report_ladder import Ladder, build_ladder

NOW = datetime(2021, 3, 1, tzinfo=UTC)
PERIODS = {
    PeriodKind.CALENDAR_YEAR: ("2019", "2020"),
    PeriodKind.FISCAL_YEAR: ("FY2019", "FY2020", "FY2021"),
    PeriodKind.QUARTER: tuple(f"{y}-Q{q}" for y in (2019, 2020) for q in (1, 2, 3, 4)),
}


@pytest.fixture
def ladder(engine: Engine) -> Engine:
    with engine.begin() as db:
        build_ladder(db)
    return engine


def _definitions() -> list[ReportDefinition]:
    """The shipped definitions, and one of every filter a definition may put on a count of
    answers (what the tallies must reproduce even where no shipped figure uses it yet)."""
    general = load_reports().get("general")
    template = next(f for f in general.figures if f.by)
    measures = {
        "performed_hold": Measure(Base.ANSWERED, performed="hold"),
        "performed_disclose": Measure(Base.ANSWERED, performed="disclose"),
        "overridden": Measure(Base.ANSWERED, override=True),
        "declined_detainers": Measure(
            Base.ANSWERED, kinds=(InstrumentKind.DETAINER,), outcomes=(Outcome.DECLINED,)
        ),
    }
    extra = tuple(
        replace(template, id=name, measure=measure, by=(Dimension.RULE, Dimension.REQUESTER))
        for name, measure in measures.items()
    )
    every_filter = replace(general, id="every-filter", figures=extra)
    return [*load_reports().latest(), every_filter]


def _everything(engine: Engine, as_of: int | None = None) -> dict[tuple[str, str], Any]:
    """Every report that applies to the jail, every period, small counts shown (threshold 1:
    nothing withheld, so every count is compared)."""
    out = {}
    with engine.connect() as db:
        agency = agency_profile(db, "doc")
        for definition in _definitions():
            if not definition.applies_to(agency.kind, agency.rule_pack):
                continue
            shown = replace(definition, threshold=1)
            for label in PERIODS[definition.period]:
                period = parse_period(label, definition.period)
                report = compute_report(db, shown, agency, period, as_of=as_of)
                out[(definition.id, label)] = [f.to_json() for f in report.figures]
    return out


def _from_events_alone(engine: Engine) -> dict[tuple[str, str], Any]:
    """What the reports count with the tallies set aside (the mark at 0)."""
    with engine.begin() as db:
        kept = tallies.through(db)
        db.execute(update(orm.report_tally_marks).values(through_event_id=0))
    try:
        return _everything(engine)
    finally:
        with engine.begin() as db:
            db.execute(update(orm.report_tally_marks).values(through_event_id=kept))


def _late(engine: Engine) -> None:
    with engine.begin() as db:
        late = Ladder(db, itertools.count(7000))
        case = late.case(late.person())
        late.instrument(case, "detainer", "2020-03-30 15", warrant="judicial")
        # 03:00 UTC on New Year's Day is 2020 in New York: counted in 2020 and 2020-Q4.
        info = late.instrument(case, "information_request", "2021-01-01 03")
        late.answer(
            info, case, "complied", "2021-01-01 04", performed=("disclose:release_date",),
            rule="nyc-doc-9-131-info", first_action="disclose:release_date", override=True,
        )  # fmt: skip


def test_the_tallies_give_exactly_what_the_events_give(ladder: Engine) -> None:
    direct = _everything(ladder)
    assert any(cells for figures in direct.values() for cells in figures)
    added = tallies.refresh(ladder, NOW, settled=False)
    assert added > 0
    with ladder.connect() as db:
        mark = tallies.through(db)
        assert db.execute(select(func.count()).select_from(orm.report_tallies)).scalar_one() > 0
    assert _everything(ladder) == direct
    _late(ladder)  # recorded after the mark: counted from the events
    with_late = _everything(ladder)
    assert with_late != direct
    assert with_late == _from_events_alone(ladder)
    # As of the watermark the tallies were made at, the report is what it was.
    assert _everything(ladder, as_of=mark) == direct
    assert tallies.refresh(ladder, NOW, settled=False) > 0
    assert _everything(ladder) == with_late


def test_a_refresh_tallies_only_what_the_previous_one_saw(ladder: Engine) -> None:
    assert tallies.refresh(ladder, NOW) == 0  # the first only looks
    seen = tallies.refresh(ladder, NOW)
    assert seen > 0
    _late(ladder)
    assert tallies.refresh(ladder, NOW) == 0  # the late events were not seen before
    assert tallies.refresh(ladder, NOW) > 0
    assert _everything(ladder) == _from_events_alone(ladder)


def test_the_local_day_is_the_agencys_own() -> None:
    # 03:00 UTC on 1 January is still 31 December in New York: last year's report counts it.
    at = datetime(2021, 1, 1, 3, tzinfo=UTC)
    assert tallies.local_day(at, "America/New_York").isoformat() == "2020-12-31"
    assert tallies.local_day(at, "UTC").isoformat() == "2021-01-01"
    assert tallies.performed_tokens(["disclose:release_date", "hold", "disclose:x"]) == (
        "|disclose|hold|"
    )
    assert tallies.performed_tokens([]) == ""


def _raw_median(engine: Engine, period_label: str) -> tuple[float | None, int]:
    """The median hours to answer before rounding for publication, to compare exactly."""
    from lexdesk.queries.transparency import _figure

    general = load_reports().get("general")
    figure = next(f for f in general.figures if f.id == "median_hours_to_answer")
    assert figure.measure is not None
    with engine.connect() as db:
        agency = agency_profile(db, "doc")
        period = parse_period(period_label, general.period)
        last = int(db.execute(select(func.max(orm.instrument_events.c.id))).scalar_one())
        raw = _figure(db, figure.measure, (), "doc", period, period.bounds(agency.timezone), last)
    return raw.median, raw.over


def test_the_median_from_the_tallies_is_the_median_of_the_events_to_the_last_bit(
    ladder: Engine,
) -> None:
    _late(ladder)
    direct = {label: _raw_median(ladder, label) for label in ("2019", "2020")}
    assert direct["2020"][1] > 2
    tallies.refresh(ladder, NOW, settled=False)
    assert {label: _raw_median(ladder, label) for label in ("2019", "2020")} == direct

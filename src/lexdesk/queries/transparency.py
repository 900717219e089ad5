"""The transparency reports' figures, computed from the record (docs/adr/0019).

Every figure is counted by a ``GROUP BY`` over ``instrument_events`` joined to the instrument
(and its answer, or its case for persons), the figures counting instruments of one base in one
statement: an instrument received is its ``issue`` event, an answer its
``determine`` event, a lapse or an escalation its own. Only events up to the watermark count,
so a report recomputed as of its watermark gives the same figures, and the events after it
that would change them can be listed. Nothing about a person leaves this module but counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)

from lexdesk.adapters import orm
from lexdesk.adapters import report_tallies as tallies
from lexdesk.adapters.report_archive import SqlReportArchive
from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.reports.definitions import (
    Base,
    Count,
    Dimension,
    Figure,
    Measure,
    PeriodKind,
    ReportCatalog,
    ReportDefinition,
)
from lexdesk.domain.reports.periods import Period, parse_period
from lexdesk.domain.reports.results import ComputedReport, RawFigure, Watermark, assemble
from lexdesk.domain.reports.schedule import ReportSchedule

EV, INS, DET, CS = orm.instrument_events, orm.instruments, orm.determinations, orm.cases

TRANSITION = {
    Base.RECEIVED: "issue",
    Base.ANSWERED: "determine",
    Base.HOURS_TO_ANSWER: "determine",
    Base.COURT_RULING: "determine",
    Base.LAPSED: "lapse",
    Base.ESCALATED: "escalate",
}
ANSWER_BASES = (Base.ANSWERED, Base.HOURS_TO_ANSWER, Base.COURT_RULING)
#: The bases whose figures of instruments share one statement (``_figures``).
SHAREABLE = (Base.RECEIVED, Base.ANSWERED, Base.LAPSED, Base.ESCALATED, Base.COURT_RULING)
DEFAULT_ZONE = tallies.DEFAULT_ZONE


@dataclass(frozen=True)
class AgencyProfile:
    id: str
    name: str
    kind: str
    rule_pack: str | None
    timezone: str


def agency_profile(db: Connection, agency_id: str) -> AgencyProfile:
    a = orm.agencies
    row = db.execute(
        select(a.c.id, a.c.name, a.c.kind, a.c.rule_pack, a.c.deadline_policy).where(
            a.c.id == agency_id
        )
    ).first()
    if row is None:
        raise NotFound("agency", agency_id)
    policy = row.deadline_policy if isinstance(row.deadline_policy, dict) else {}
    zone = policy.get("timezone")
    return AgencyProfile(
        row.id, row.name, row.kind, row.rule_pack, zone if isinstance(zone, str) else DEFAULT_ZONE
    )


def report_request(
    db: Connection, catalog: ReportCatalog, report_id: str, agency_id: str, period: str
) -> tuple[ReportDefinition, AgencyProfile, Period]:
    """The definition, agency and period a request names, or why they do not go together."""
    definition = catalog.get(report_id)
    agency = agency_profile(db, agency_id)
    if not definition.applies_to(agency.kind, agency.rule_pack):
        packs = f" under {', '.join(definition.rule_packs)}" if definition.rule_packs else ""
        kinds = ", ".join(definition.agency_kinds)
        raise InvalidInput(
            f"report {report_id!r} is for {kinds} agencies{packs}; {agency_id} is "
            f"{agency.kind}{' under ' + agency.rule_pack if agency.rule_pack else ''}"
        )
    return definition, agency, parse_period(period, definition.period)


class RecordReports:
    """The read side as the services' ``ReportComputer`` port: what the worker publishes on a
    schedule is computed exactly as the administrator's preview is."""

    def __init__(self, engine: Engine, catalog: ReportCatalog | None = None) -> None:
        self._engine = engine
        self._catalog = catalog

    @property
    def catalog(self) -> ReportCatalog:
        return self._catalog or load_reports()

    def period_kind(self, report_id: str, agency_id: str) -> PeriodKind:
        definition = self.catalog.get(report_id)
        with self._engine.connect() as db:
            agency = agency_profile(db, agency_id)
        if not definition.applies_to(agency.kind, agency.rule_pack):
            raise InvalidInput(f"report {report_id!r} does not apply to {agency_id}")
        return definition.period

    def tally(self, now: datetime, *, settled: bool = True) -> int:
        return tallies.refresh(self._engine, now, settled=settled)

    def compute(self, report_id: str, agency_id: str, period: str) -> dict[str, Any]:
        with self._engine.connect() as db:
            definition, agency, parsed = report_request(
                db, self.catalog, report_id, agency_id, period
            )
            return compute_report(db, definition, agency, parsed).to_json()


#: Each dimension's column in the daily tallies.
TALLY_DIMENSION: dict[Dimension, Callable[[Any], ColumnElement[Any]]] = {
    Dimension.KIND: lambda t: t.c.kind,
    Dimension.WARRANT: lambda t: t.c.warrant,
    Dimension.OUTCOME: lambda t: t.c.outcome,
    Dimension.REQUESTER: lambda t: t.c.requester,
    Dimension.RULE: lambda t: t.c.rule,
}


def report_schedules(engine: Engine, agency_id: str | None = None) -> list[ReportSchedule]:
    """The reports published on a schedule (a handful per agency)."""
    with engine.connect() as db:
        return SqlReportArchive(db).schedules(agency_id)


def watermark(db: Connection, event_id: int | None = None) -> Watermark:
    """The last event of the record (or the one named): what a report reads up to."""
    if event_id is None:
        event_id = db.execute(select(func.max(EV.c.id))).scalar_one() or 0
    at = db.execute(select(EV.c.at).where(EV.c.id == event_id)).scalar_one_or_none()
    return Watermark(int(event_id), at)


def compute_report(
    db: Connection,
    definition: ReportDefinition,
    agency: AgencyProfile,
    period: Period,
    *,
    as_of: int | None = None,
) -> ComputedReport:
    """Every figure of ``definition`` for ``agency`` over ``period``, reading the events up to
    ``as_of`` (an event id; by default the last one recorded)."""
    mark = watermark(db, as_of)
    start, end = period.bounds(agency.timezone)
    shared: dict[Base, list[Figure]] = {}
    raw: dict[str, RawFigure] = {}
    for figure in definition.figures:
        measure = figure.measure
        if measure is None:
            continue
        if measure.count is Count.INSTRUMENTS and measure.base in SHAREABLE:
            shared.setdefault(measure.base, []).append(figure)
        else:
            raw[figure.id] = _figure(
                db, measure, figure.by, agency.id, period, (start, end), mark.event_id
            )
    for base, figures in shared.items():
        raw.update(_figures(db, base, figures, agency.id, period, start, end, mark.event_id))
    return assemble(definition, agency.id, period, mark, raw)


def _figures(
    db: Connection,
    base: Base,
    figures: list[Figure],
    agency_id: str,
    period: Period,
    start: datetime,
    end: datetime,
    last_event: int,
) -> dict[str, RawFigure]:
    """The figures that count instruments of one base, grouped by every dimension any of them
    uses and by whether each one's filters hold. Each instrument has one event of a base, so
    it falls in exactly one group, and each figure is the sum of its groups (a few dozen rows,
    never the events themselves). The groups come from the daily tallies up to their mark and
    from the events after it (``adapters.report_tallies``); from the events alone when the
    report reads up to an earlier event than the mark."""
    dims = sorted({d for f in figures for d in f.by}, key=lambda d: d.value)
    measures = [f.measure for f in figures if f.measure]
    mark = tallies.through(db)
    if 0 < mark <= last_event:
        rows = _tallied(db, base, dims, measures, agency_id, period)
        rows += _counted(db, base, dims, measures, agency_id, start, end, (mark, last_event))
    else:
        rows = _counted(db, base, dims, measures, agency_id, start, end, (0, last_event))
    out: dict[str, RawFigure] = {}
    for index, figure in enumerate(figures):
        if figure.measure is None:
            continue
        flag = f"f{index}" if _filters(figure.measure) else None
        counts: dict[tuple[str, ...], int] = {}
        for row in rows:
            if flag is not None and not row[flag]:
                continue
            key = tuple(str(row[f"d_{d.value}"]) for d in figure.by)
            counts[key] = counts.get(key, 0) + int(row["n"])
        out[figure.id] = RawFigure({k: v for k, v in counts.items() if v})
    return out


def _tallied(
    db: Connection,
    base: Base,
    dims: list[Dimension],
    measures: list[Measure],
    agency_id: str,
    period: Period,
) -> list[Any]:
    """The groups of ``_counted``, summed from the daily tallies of the period's days."""
    t = orm.report_tallies
    keys = [TALLY_DIMENSION[d](t).label(f"d_{d.value}") for d in dims]
    flags = [
        case((and_(*conditions), 1), else_=0).label(f"f{i}")
        for i, conditions in enumerate(_tally_filters(m) for m in measures)
        if conditions
    ]
    grouped = [*keys, *flags]
    query: Select[Any] = select(*grouped, func.sum(t.c.instruments).label("n")).where(
        t.c.agency_id == agency_id,
        t.c.transition == (tallies.COURT_RULING if base is Base.COURT_RULING else TRANSITION[base]),
        t.c.day >= period.start,
        t.c.day < period.end,
    )
    if grouped:
        query = query.group_by(*grouped)
    return [row._mapping for row in db.execute(query)]


def _tally_filters(measure: Measure) -> list[ColumnElement[bool]]:
    """``_filters`` over the tallies' columns."""
    t = orm.report_tallies
    out: list[ColumnElement[bool]] = []
    if measure.kinds:
        out.append(t.c.kind.in_([k.value for k in measure.kinds]))
    if measure.outcomes:
        out.append(t.c.outcome.in_([o.value for o in measure.outcomes]))
    if measure.performed:
        out.append(t.c.performed.like(f"%|{measure.performed}|%"))
    if measure.override:
        out.append(t.c.override.is_(True))
    return out


def _counted(
    db: Connection,
    base: Base,
    dims: list[Dimension],
    measures: list[Measure],
    agency_id: str,
    start: datetime,
    end: datetime,
    events: tuple[int, int],
) -> list[Any]:
    """The groups counted from the events ``after < id <= upto`` themselves."""
    after, upto = events
    joins = EV.join(INS, INS.c.id == EV.c.instrument_id)
    if base is Base.COURT_RULING:
        joins = joins.join(CS, CS.c.id == INS.c.case_id)
    if base in ANSWER_BASES:
        joins = joins.join(DET, DET.c.instrument_id == INS.c.id)
    keys = [_dimension(d, db.dialect.name).label(f"d_{d.value}") for d in dims]
    flags = [
        case((and_(*conditions), 1), else_=0).label(f"f{i}")
        for i, conditions in enumerate(_filters(m) for m in measures)
        if conditions
    ]
    where = [
        EV.c.transition == TRANSITION[base],
        EV.c.id > after,
        EV.c.id <= upto,
        EV.c.at >= start,
        EV.c.at < end,
        _scope(base, agency_id),
    ]
    grouped = [*keys, *flags]
    query: Select[Any] = (
        select(*grouped, func.count(func.distinct(INS.c.id)).label("n"))
        .select_from(joins)
        .where(*where)
    )
    if grouped:
        query = query.group_by(*grouped)
    return [row._mapping for row in db.execute(query)]


def late_events(
    db: Connection,
    definition: ReportDefinition,
    agency: AgencyProfile,
    period: Period,
    since: int,
) -> list[dict[str, Any]]:
    """The events recorded after event ``since`` that fall in the period and that some figure
    of the report counts: what changed a report recomputed after its watermark."""
    start, end = period.bounds(agency.timezone)
    bases = {f.measure.base for f in definition.figures if f.measure is not None}
    clauses = [
        _scope(base, agency.id) & (EV.c.transition == TRANSITION[base]) for base in sorted(bases)
    ]
    query = (
        select(EV.c.id, EV.c.transition, EV.c.at, INS.c.kind)
        .select_from(
            EV.join(INS, INS.c.id == EV.c.instrument_id).join(CS, CS.c.id == INS.c.case_id)
        )
        .where(EV.c.id > since, EV.c.at >= start, EV.c.at < end, or_(*clauses))
        .order_by(EV.c.id)
    )
    return [
        {"event_id": r.id, "transition": r.transition, "at": r.at.isoformat(), "kind": r.kind}
        for r in db.execute(query)
    ]


def _scope(base: Base, agency_id: str) -> ColumnElement[bool]:
    if base is Base.COURT_RULING:
        return (CS.c.custodial_agency_id == agency_id) & (INS.c.kind == "enforcement_petition")
    return INS.c.addressee_agency_id == agency_id


def _figure(
    db: Connection,
    measure: Measure,
    by: tuple[Dimension, ...],
    agency_id: str,
    period: Period,
    bounds: tuple[datetime, datetime],
    last_event: int,
) -> RawFigure:
    start, end = bounds
    joins = EV.join(INS, INS.c.id == EV.c.instrument_id)
    if measure.count is Count.PERSONS or measure.base is Base.COURT_RULING:
        joins = joins.join(CS, CS.c.id == INS.c.case_id)
    if measure.base in ANSWER_BASES:
        joins = joins.join(DET, DET.c.instrument_id == INS.c.id)
    where = [
        EV.c.transition == TRANSITION[measure.base],
        EV.c.id <= last_event,
        EV.c.at >= start,
        EV.c.at < end,
        _scope(measure.base, agency_id),
        *_filters(measure),
    ]
    if measure.base is Base.HOURS_TO_ANSWER:
        return _median(db, measure, agency_id, period, joins, where, last_event)
    counted = (
        func.count(func.distinct(CS.c.person_id))
        if measure.count is Count.PERSONS
        else func.count(func.distinct(INS.c.id))
    )
    keys = [_dimension(d, db.dialect.name).label(f"d{i}") for i, d in enumerate(by)]
    query: Select[Any] = select(*keys, counted).select_from(joins).where(*where)
    if keys:
        query = query.group_by(*keys)
    counts = {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in db.execute(query)}
    return RawFigure({k: v for k, v in counts.items() if v})


def _filters(measure: Measure) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if measure.kinds:
        out.append(INS.c.kind.in_([k.value for k in measure.kinds]))
    if measure.outcomes:
        out.append(DET.c.outcome.in_([o.value for o in measure.outcomes]))
    if measure.performed:
        token = '"disclose:' if measure.performed == "disclose" else f'"{measure.performed}"'
        out.append(cast(DET.c.actions_performed, String).like(f"%{token}%"))
    if measure.override:
        # JSON null (no override) is stored as the text null, not as SQL NULL.
        out.append(DET.c.override.is_not(None) & (cast(DET.c.override, String) != "null"))
    return out


def _dimension(dimension: Dimension, dialect: str) -> ColumnElement[Any]:
    if dimension is Dimension.KIND:
        return INS.c.kind
    if dimension is Dimension.WARRANT:
        return INS.c.warrant
    if dimension is Dimension.OUTCOME:
        return DET.c.outcome
    if dimension is Dimension.REQUESTER:
        return INS.c.issuer_agency_id
    return func.coalesce(DET.c.deciding_rule, literal("none"))


def _median(
    db: Connection,
    measure: Measure,
    agency_id: str,
    period: Period,
    joins: Any,
    where: list[ColumnElement[bool]],
    last_event: int,
) -> RawFigure:
    """The median of the answers' durations, exact to the microsecond: from the tallies' kept
    durations up to their mark and the events after it, or from the events alone. With no
    answer after the mark (a closed period), the database finds the middle ones itself."""
    mark = tallies.through(db)
    t = orm.report_answer_times
    kept = [
        t.c.agency_id == agency_id,
        t.c.day >= period.start,
        t.c.day < period.end,
        *_tally_filters(measure),
    ]
    tallied = 0 < mark <= last_event
    if tallied:
        where = [*where, EV.c.id > mark]
    durations: Counter[int] = Counter()
    answered = select(INS.c.issued_at, EV.c.at).select_from(joins).where(*where)
    for issued, at in db.execute(answered):
        if issued is not None:
            durations[tallies.micros_between(issued, at)] += 1
    if tallied and not durations:
        return _median_of_tallies(db, kept)
    if tallied:
        rows = select(t.c.micros, func.sum(t.c.instruments)).where(*kept).group_by(t.c.micros)
        durations.update({int(m): int(n) for m, n in db.execute(rows)})
    n = durations.total()
    if n == 0:
        return RawFigure({}, None, 0)
    ordered = sorted(durations.items())
    middle = [_nth(ordered, (n - 1) // 2), _nth(ordered, n // 2)]
    return RawFigure({}, sum(tallies.hours(m) for m in middle) / 2, n)


def _median_of_tallies(db: Connection, kept: list[ColumnElement[bool]]) -> RawFigure:
    """The median of the kept durations, found in the database in one pass by a running
    count: only the one or two middle durations leave it. With N answers the middle ones are
    the (N-1)//2-th and N//2-th (from 0): the first durations whose running count, doubled,
    exceeds N-1 and N."""
    t = orm.report_answer_times
    counted = (
        select(t.c.micros, func.sum(t.c.instruments).label("n"))
        .where(*kept)
        .group_by(t.c.micros)
        .subquery()
    )
    running = select(
        counted.c.micros,
        func.sum(counted.c.n).over(order_by=counted.c.micros).label("upto"),
        func.sum(counted.c.n).over().label("total"),
    ).subquery()
    low, high, total = db.execute(
        select(
            func.min(case((2 * running.c.upto > running.c.total - 1, running.c.micros))),
            func.min(case((2 * running.c.upto > running.c.total, running.c.micros))),
            func.max(running.c.total),
        )
    ).one()
    if not total:
        return RawFigure({}, None, 0)
    middle = (tallies.hours(int(low)) + tallies.hours(int(high))) / 2
    return RawFigure({}, middle, int(total))


def _nth(ordered: list[tuple[int, int]], index: int) -> int:
    """The ``index``-th duration (from 0) of a sorted multiset given as (value, count)."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)

"""The transparency reports' daily tallies (docs/adr/0019): for each agency and each of its
own days, how many instruments it received, answered, let lapse or escalated, and the court
rulings on its cases, by every dimension and filter a report definition can use; and how long
each answer took, to the microsecond, for the medians. A report over a national record sums these
rows for the period instead of scanning millions of events, and counts directly only the
events after the tallies' mark, so it is exact whatever the worker has done so far.

Events are append-only and each instrument has at most one event of each of these
transitions, so the tallies only ever grow by adding. A refresh tallies up to the last event id
the previous refresh saw (one sweep late): an event whose id was taken by a transaction still
open then is committed by the time it is tallied, never passed over. Refreshes are serialised
on the mark's row."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from lexdesk.adapters import orm
from lexdesk.domain.deadlines import DEFAULT_TIMEZONE

EV, INS, DET, AG = orm.instrument_events, orm.instruments, orm.determinations, orm.agencies
CS = orm.cases
TALLY, TIMES, MARK = orm.report_tallies, orm.report_answer_times, orm.report_tally_marks
#: The transitions a report counts, by the agency the instrument was addressed to.
TALLIED = ("issue", "determine", "lapse", "escalate")
#: A court's answer to a petition to enforce, tallied a second time under this name for the
#: custodian of the case (whose subpoena it enforces), as reports count court rulings.
COURT_RULING = "court_ruling"
PETITION = "enforcement_petition"
MICROS_PER_HOUR = 3_600_000_000
DEFAULT_ZONE = DEFAULT_TIMEZONE
BATCH = 50_000
TIME_KEY = ("agency_id", "day", "kind", "outcome", "performed", "override", "micros")
KEY = (
    "agency_id",
    "day",
    "transition",
    "kind",
    "warrant",
    "requester",
    "outcome",
    "rule",
    "performed",
    "override",
)


def performed_tokens(actions: Any) -> str:
    """``|disclose|hold|``: each kind of action an answer performed, once, sorted (every
    ``disclose:<field>`` is ``disclose``); empty when it performed none."""
    if not isinstance(actions, list) or not actions:
        return ""
    tokens = sorted({str(a).split(":", 1)[0] for a in actions})
    return "|" + "|".join(tokens) + "|"


def hours(micros: int) -> float:
    """A duration in hours, the same float from the tallies as from the events."""
    return micros / MICROS_PER_HOUR


def micros_between(start: datetime, end: datetime) -> int:
    return (end - start) // timedelta(microseconds=1)


def through(db: Connection) -> int:
    """Every event up to this id is in the tallies (0: none is)."""
    found = db.execute(select(MARK.c.through_event_id).where(MARK.c.id == 1)).scalar()
    return int(found or 0)


def refresh(engine: Engine, now: datetime, *, settled: bool = True) -> int:
    """Tally the events recorded since the last refresh; how many were tallied. ``settled``
    (the worker's way) stops at the last event the previous refresh saw; without it (a
    backfill, when nothing else writes) it goes to the last event there is."""
    tallied = 0
    with engine.begin() as db:
        newest = int(db.execute(select(func.max(EV.c.id))).scalar() or 0)
        mark = _mark(db, now)
        target = mark["seen_event_id"] if settled else newest
    while True:
        with engine.begin() as db:
            mark = _mark(db, now)
            start = mark["through_event_id"]
            end = min(start + BATCH, target)
            if end <= start:
                break
            tallied += _tally(db, start, end)
            db.execute(MARK.update().where(MARK.c.id == 1).values(through_event_id=end))
    with engine.begin() as db:
        _mark(db, now)
        db.execute(
            MARK.update()
            .where(MARK.c.id == 1, MARK.c.seen_event_id < newest)
            .values(seen_event_id=newest, updated_at=now)
        )
        if tallied >= BATCH and db.dialect.name == "postgresql":
            # After a backfill the planner's figures are those of empty tables.
            db.exec_driver_sql("ANALYZE report_tallies, report_answer_times")
    return tallied


def _mark(db: Connection, now: datetime) -> dict[str, int]:
    """The mark's row, locked for this transaction (made the first time)."""
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    db.execute(
        insert(MARK)
        .values(id=1, through_event_id=0, seen_event_id=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    query = select(MARK.c.through_event_id, MARK.c.seen_event_id).where(MARK.c.id == 1)
    if db.dialect.name == "postgresql":
        query = query.with_for_update()
    row = db.execute(query).one()
    return {"through_event_id": int(row[0]), "seen_event_id": int(row[1])}


def _tally(db: Connection, after: int, upto: int) -> int:
    """Add the events ``after < id <= upto`` to the tallies; how many there were."""
    # The rule kept clear beside the sealed evaluation (adapters.person_records.deciding_rule).
    rule = func.coalesce(DET.c.deciding_rule, literal("none"))
    custodian = AG.alias("custodian")
    query = (
        select(
            EV.c.transition,
            EV.c.at,
            INS.c.addressee_agency_id,
            INS.c.kind,
            INS.c.warrant,
            INS.c.issuer_agency_id,
            DET.c.outcome,
            rule,
            cast(DET.c.actions_performed, String),
            cast(DET.c.override, String),
            _zone_of(AG, db.dialect.name),
            INS.c.issued_at,
            CS.c.custodial_agency_id,
            _zone_of(custodian, db.dialect.name),
        )
        .select_from(
            EV.join(INS, INS.c.id == EV.c.instrument_id)
            .join(AG, AG.c.id == INS.c.addressee_agency_id)
            .join(CS, CS.c.id == INS.c.case_id)
            .join(custodian, custodian.c.id == CS.c.custodial_agency_id)
            .outerjoin(DET, DET.c.instrument_id == INS.c.id)
        )
        .where(EV.c.id > after, EV.c.id <= upto, EV.c.transition.in_(TALLIED))
    )
    counts: Counter[tuple[Any, ...]] = Counter()
    times: Counter[tuple[Any, ...]] = Counter()
    events = 0
    # Fetched a few thousand rows at a time, not one by one.
    for row in db.execute(query.execution_options(yield_per=5_000)):
        events += 1
        key = _key(row, row[2], row[10], row[0])
        counts[key] += 1
        if row[0] != "determine":
            continue
        if row[3] == PETITION:
            counts[_key(row, row[12], row[13], COURT_RULING)] += 1
        if row[11] is not None:
            agency, day, _, kind, _, _, outcome, _, performed, override = key
            times[(agency, day, kind, outcome, performed, override,
                   micros_between(row[11], row[1]))] += 1  # fmt: skip
    if counts:
        _add(db, TALLY, KEY, counts)
    if times:
        _add(db, TIMES, TIME_KEY, times)
    return events


def _zone_of(agency: Any, dialect: str) -> ColumnElement[Any]:
    """The agency's time zone as text, read in the database (not a JSON document per row)."""
    policy: ColumnElement[Any] = agency.c.deadline_policy
    if dialect == "postgresql":
        return policy.op("->>", return_type=String)(literal_column("'timezone'"))
    return func.json_extract(policy, "$.timezone", type_=String)


def _key(row: Any, agency: str, zone: str | None, transition: str) -> tuple[Any, ...]:
    """The tally an event counts in, for ``agency`` (in its own time zone) as ``transition``."""
    at, kind, warrant, requester = row[1], row[3], row[4], row[5]
    answered = row[0] == "determine"
    outcome, rule, performed, override = row[6:10] if answered else (None, None, None, None)
    return (
        agency,
        local_day(at, zone or DEFAULT_ZONE),
        transition,
        kind,
        warrant,
        requester,
        outcome or "",
        (rule or "none") if answered else "none",
        performed_tokens(json.loads(performed) if performed else None),
        override not in (None, "null"),
    )


def local_day(at: datetime, zone: str) -> date:
    return at.astimezone(_zone(zone)).date()


@cache
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def _add(
    db: Connection, table: Table, key: tuple[str, ...], counts: Counter[tuple[Any, ...]]
) -> None:
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    rows = [dict(zip(key, k, strict=True)) | {"instruments": n} for k, n in counts.items()]
    statement = insert(table)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={"instruments": table.c.instruments + statement.excluded.instruments},
        ),
        rows,
    )

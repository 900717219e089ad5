"""An annual transparency report over a large synthetic record on PostgreSQL, against
hand-written ``GROUP BY`` statements over the same rows in the same run.

    python -m benchmarks.bench_reports                  # 300,000 instruments, ~560,000 events
    LEXDESK_BENCH_REPORT_INSTRUMENTS=3000000 python -m benchmarks.bench_reports   # national size
    LEXDESK_BENCH_REPORT_REUSE=1 python -m benchmarks.bench_reports              # measure again
    LEXDESK_BENCH_REPORT_DATABASE=lexdesk_national python -m benchmarks.bench_reports
        # a database seeded by ``lexdesk seed national``: the busiest agency's busiest year

The record is seeded in SQL (``generate_series``), valid chains only: each person one open case
with two instruments at one of 20 jails, issued over three years; seven in ten answered (the
answer's event and row, with the rule that decided and an override now and then), two in ten
lapsed, and one declined detainer in twenty escalated. The database (lexdesk_bench_reports) is
kept after a run. Prints the median of five interleaved runs of each (after a warm-up round),
in milliseconds, and the ratio of the report's three figures to the same three by hand.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, create_engine, text

from lexdesk.adapters import report_tallies as tallies
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.reports.periods import parse_period
from lexdesk.queries.transparency import agency_profile, compute_report

POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
DATABASE = "lexdesk_bench_reports"
JAILS = 20
RUNS = 5
T0 = datetime(2019, 1, 1, tzinfo=UTC)

#: A person's record as ``adapters.person_records`` keeps it, unsealed: nothing here is anyone's.
PLAIN_RECORD = (
    '{"date_of_birth": null, "place_of_birth": "", "citizenship": "", "facts": {}, '
    '"record": {}, "public_information": [], "convictions": []}'
)

SEED = (
    """INSERT INTO agencies (id, name, kind, jurisdiction, rule_pack, deadline_policy, component,
       created_at)
     SELECT 'jail-' || j, 'Jail ' || j, 'custodial', 'US-NY', 'us-ny-nyc-doc',
            '{"timezone": "America/New_York"}'::json, NULL, :t0 FROM generate_series(0, 19) j
     UNION ALL SELECT 'ice', 'ICE', 'immigration', 'US', NULL, '{}'::json, 'ice', :t0""",
    # Synthetic filler, written unsealed (a value not sealed opens as it is); no report reads it.
    """INSERT INTO persons (id, owner_agency_id, created_at, name, sealed)
     SELECT 'p' || c, 'jail-' || (c % 20), :t0, '["Bench", "P' || c || '"]', :record
     FROM generate_series(1, :cases) c""",
    """INSERT INTO cases (id, requesting_agency_id, custodial_agency_id, person_id, opened_at,
       status, version, subject)
     SELECT 'c' || c, 'ice', 'jail-' || (c % 20), 'p' || c, :t0, 'open', 1, ''
     FROM generate_series(1, :cases) c""",
    """INSERT INTO instruments (id, case_id, position, kind, actions, warrant, issuer_agency_id,
       addressee_agency_id, parent_id, status, created_at, issued_at, due_at, due, reference,
       version, produce_to, issuer_status, issuer_due_at)
     SELECT 'i' || g, 'c' || ((g + 1) / 2), 1 + g % 2,
            (ARRAY['detainer', 'information_request', 'notification_request', 'detainer',
                   'transfer_request'])[1 + g % 5],
            '["hold"]'::json, (ARRAY['none', 'administrative', 'judicial'])[1 + g % 3], 'ice',
            'jail-' || (((g + 1) / 2) % 20), NULL,
            CASE WHEN g % 10 < 7 THEN (ARRAY['complied', 'declined', 'declined',
                 'partially_complied'])[1 + g % 4] WHEN g % 10 < 9 THEN 'lapsed' ELSE 'issued' END,
            t, t, NULL, NULL, '', 1, '["ice"]'::json, 'issued', NULL
     FROM (SELECT g, CAST(:t0 AS timestamptz) + (g % 1095) * interval '1 day'
                     + (g % 24) * interval '1 hour' AS t
           FROM generate_series(1, :instruments) g) s""",
    """INSERT INTO instrument_events (instrument_id, case_id, transition, from_status, to_status,
       actor, at, reason, changes)
     SELECT id, case_id, 'issue', 'draft', 'issued', 'system', issued_at, '', '{}'::json
     FROM instruments""",
    """INSERT INTO determinations (instrument_id, outcome, reason, released_fields,
       determined_by, determined_at, evaluation, deciding_rule, actions_performed, override)
     SELECT id, status, 'Bench.', '[]'::json, 'bench',
            issued_at + (length(id) % 72 + 1) * interval '1 hour',
            '{"result": {"actions": {"hold": {"rule": "NYC-DOC-HOLD-0'
                 || (length(id) % 3 + 1) || '"}}}}',
            'NYC-DOC-HOLD-0' || (length(id) % 3 + 1),
            CASE WHEN status = 'complied' THEN CAST('["hold"]' AS json) ELSE '[]'::json END,
            CASE WHEN right(id, 2) = '00' THEN CAST('{"reason": "bench"}' AS json)
                 ELSE CAST('null' AS json) END
     FROM instruments WHERE status IN ('complied', 'declined', 'partially_complied')""",
    """INSERT INTO instrument_events (instrument_id, case_id, transition, from_status, to_status,
       actor, at, reason, changes)
     SELECT d.instrument_id, i.case_id, 'determine', 'acknowledged', d.outcome, 'bench',
            d.determined_at, '', '{}'::json
     FROM determinations d JOIN instruments i ON i.id = d.instrument_id""",
    """INSERT INTO instrument_events (instrument_id, case_id, transition, from_status, to_status,
       actor, at, reason, changes)
     SELECT id, case_id, 'lapse', 'issued', 'lapsed', 'system', issued_at + interval '48 hours',
            '', '{}'::json
     FROM instruments WHERE status = 'lapsed'""",
    """INSERT INTO instrument_events (instrument_id, case_id, transition, from_status, to_status,
       actor, at, reason, changes)
     SELECT id, case_id, 'escalate', 'declined', 'escalated', 'ice',
            issued_at + interval '5 days', '', '{}'::json
     FROM instruments WHERE status = 'declined' AND kind = 'detainer' AND right(id, 1) = '0'""",
    "ANALYZE",
)

#: The same figures written by hand, for the comparison.
HAND_WRITTEN = {
    "instruments_received": """
        SELECT i.kind, count(DISTINCT i.id) FROM instrument_events e
        JOIN instruments i ON i.id = e.instrument_id
        WHERE e.transition = 'issue' AND e.at >= :start AND e.at < :end
          AND i.addressee_agency_id = :agency
        GROUP BY i.kind""",
    "answers_by_kind_and_outcome": """
        SELECT i.kind, d.outcome, count(DISTINCT i.id) FROM instrument_events e
        JOIN instruments i ON i.id = e.instrument_id
        JOIN determinations d ON d.instrument_id = i.id
        WHERE e.transition = 'determine' AND e.at >= :start AND e.at < :end
          AND i.addressee_agency_id = :agency
        GROUP BY i.kind, d.outcome""",
    "lapsed_unanswered": """
        SELECT i.kind, count(DISTINCT i.id) FROM instrument_events e
        JOIN instruments i ON i.id = e.instrument_id
        WHERE e.transition = 'lapse' AND e.at >= :start AND e.at < :end
          AND i.addressee_agency_id = :agency
        GROUP BY i.kind""",
}


def _database(fresh: bool) -> str:
    url = POSTGRES.rsplit("/", 1)[0] + f"/{DATABASE}"
    if fresh:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
    return url


def seed(engine: Engine, instruments: int) -> float:
    started = time.perf_counter()
    params = {
        "t0": T0,
        "cases": (instruments + 1) // 2,
        "instruments": instruments,
        "record": PLAIN_RECORD,
    }
    with engine.begin() as db:
        for statement in SEED:
            if statement == "ANALYZE":
                continue
            db.execute(text(statement), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _interleaved_ms(*runs: Callable[[], object]) -> list[float]:
    """The median time of each of ``runs``, run in turn ``RUNS`` times after one warm-up round,
    so that the machine's load and the cache fall on all of them alike."""
    timings: list[list[float]] = [[] for _ in runs]
    for round_ in range(RUNS + 1):
        for index, run in enumerate(runs):
            started = time.perf_counter()
            run()
            if round_:
                timings[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(t) for t in timings]


def measure(db: Connection, agency: str, year: str) -> dict[str, float]:
    general = load_reports().get("general")
    profile = agency_profile(db, agency)
    period = parse_period(year, general.period)
    start, end = period.bounds(profile.timezone)
    subset = replace(general, figures=tuple(f for f in general.figures if f.id in HAND_WRITTEN))
    params = {"start": start, "end": end, "agency": agency}

    def hand() -> None:
        for sql in HAND_WRITTEN.values():
            db.execute(text(sql), params).all()

    whole, three, by_hand = _interleaved_ms(
        lambda: compute_report(db, general, profile, period),
        lambda: compute_report(db, subset, profile, period),
        hand,
    )
    return {
        "general_report_ms": whole,
        "three_figures_ms": three,
        "hand_written_ms": by_hand,
        "ratio": three / by_hand,
    }


def busiest(db: Connection) -> tuple[str, str]:
    """The agency and calendar year with the most instruments received: the costliest
    annual report of the record."""
    row = db.execute(
        text(
            """SELECT i.addressee_agency_id, extract(year FROM e.at)::int AS year, count(*) AS n
               FROM instrument_events e JOIN instruments i ON i.id = e.instrument_id
               WHERE e.transition = 'issue'
               GROUP BY 1, 2 ORDER BY n DESC LIMIT 1"""
        )
    ).one()
    return str(row[0]), str(row[1])


def run() -> dict[str, float]:
    instruments = int(os.environ.get("LEXDESK_BENCH_REPORT_INSTRUMENTS", "300000"))
    reuse = os.environ.get("LEXDESK_BENCH_REPORT_REUSE") == "1"
    existing = os.environ.get("LEXDESK_BENCH_REPORT_DATABASE")
    url = POSTGRES.rsplit("/", 1)[0] + f"/{existing}" if existing else _database(not reuse)
    engine = create_database_engine(url)
    figures: dict[str, float] = {}
    if not (reuse or existing):
        upgrade(engine)
        figures["seed_s"] = seed(engine, instruments)
    else:
        upgrade(engine)
    # The daily tallies a report sums (adapters.report_tallies): brought up to the last event,
    # as the worker keeps them; timed, since a backfill after a bulk load is part of the cost.
    started = time.perf_counter()
    tallied = tallies.refresh(engine, datetime.now(UTC), settled=False)
    figures["tally_s"] = time.perf_counter() - started
    with engine.connect() as db:
        events = db.execute(text("SELECT count(*) FROM instrument_events")).scalar_one()
        count = db.execute(text("SELECT count(*) FROM instruments")).scalar_one()
        agency, year = ("jail-7", "2020") if not existing else busiest(db)
        figures.update(measure(db, agency, year))
    engine.dispose()
    print(
        f"reports (PostgreSQL, {count:,} instruments, {events:,} events, {tallied:,} newly "
        f"tallied; the annual general report of {agency} for {year}): "
        + ", ".join(f"{k} {v:.2f}" for k, v in figures.items())
    )
    return figures


if __name__ == "__main__":
    run()

"""Create instruments through the services and list one agency's open ones, on SQLite and
PostgreSQL. Prints instruments created per second and the list's p50/p99 latency.

    python -m benchmarks.bench_instruments            # 100,000 instruments on each database
    LEXDESK_BENCH_INSTRUMENTS=10000 python -m benchmarks.bench_instruments
    LEXDESK_BENCH_LIST_ONLY=1 python -m benchmarks.bench_instruments   # re-measure the list only

The SQLite file (var/bench/instruments.sqlite3) and the PostgreSQL database (lexdesk_bench) are
kept after a run, so the list can be measured again without creating the instruments anew.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.queries.lists import open_instruments
from lexdesk.services import agencies, instruments, persons
from lexdesk.services.context import Desk

CUSTODIANS = 20
PER_PERSON = 5
LIST_SAMPLES = 1000
SQLITE_FILE = Path("var/bench/instruments.sqlite3")
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _setup(desk: Desk) -> None:
    agencies.register_agency(desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))
    agencies.add_user(desk, agencies.AddUser("ice-officer", "ice", "Officer", ("officer",)))
    for n in range(CUSTODIANS):
        code = f"jail-{n:02d}"
        agencies.register_agency(
            desk, agencies.RegisterAgency(code, f"Jail {n}", "custodial", "US-NY", "us-ny-nyc-doc")
        )
        agencies.add_user(desk, agencies.AddUser(f"{code}-officer", code, "Officer", ("officer",)))


def _book(desk: Desk, n: int) -> str:
    jail = f"jail-{n % CUSTODIANS:02d}"
    now = datetime.now(UTC)
    person = persons.book_person(
        desk,
        persons.BookPerson(
            actor=f"{jail}-officer",
            family_name=f"Benchperson{n}",
            given_name="Sam",
            arrested_on=now.date(),
            booked_at=now,
            expected_release_at=now + timedelta(days=1 + n % 60),
            identifiers={"booking_number": f"BENCH{n:08d}"},
        ),
    )
    return person.id


KINDS = (
    "detainer",
    "notification_request",
    "information_request",
    "transfer_request",
    "information_request",
)


def create(desk: Desk, count: int) -> float:
    started = time.perf_counter()
    for n in range(count // PER_PERSON):
        person_id = _book(desk, n)
        jail = f"jail-{n % CUSTODIANS:02d}"
        for kind in KINDS[:PER_PERSON]:
            command = instruments.IssueInstrument(
                "ice-officer",
                kind,
                jail,
                person_id,
                ("notify_release", "disclose:release_date"),
                "administrative",
            )
            instruments.issue_instrument(desk, command)
    return time.perf_counter() - started


def list_latency(engine: Engine) -> tuple[float, float, int]:
    samples = []
    with engine.connect() as db:
        for n in range(LIST_SAMPLES):
            started = time.perf_counter()
            rows = open_instruments(db, f"jail-{n % CUSTODIANS:02d}", limit=50)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], len(rows)


def measure(name: str, url: str, count: int, *, list_only: bool = False) -> dict[str, float]:
    engine = create_database_engine(url)
    seconds = float("nan")
    if not list_only:
        upgrade(engine)
        clock = SystemClock()
        desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())
        _setup(desk)
        seconds = create(desk, count)
    with engine.connect() as db:
        count = db.scalar(text("SELECT count(*) FROM instruments")) or 0
    p50, p99, listed = list_latency(engine)
    engine.dispose()
    figures = {
        "instruments": count,
        "created_per_s": count / seconds,
        "list_p50_ms": p50,
        "list_p99_ms": p99,
    }
    created = "not re-created" if list_only else f"{figures['created_per_s']:,.0f}/s"
    print(
        f"{name:<10} {count:>7} instruments through the services: {created}; "
        f"inbox of one of {CUSTODIANS} agencies ({listed} rows shown): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    return figures


def _postgres(fresh: bool) -> str:
    if fresh:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "lexdesk_bench" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "lexdesk_bench"'))
        admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + "/lexdesk_bench"


def _sqlite(fresh: bool) -> str:
    path = SQLITE_FILE
    if fresh:
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    return f"sqlite:///{path}"


def run() -> dict[str, dict[str, float]]:
    count = int(os.environ.get("LEXDESK_BENCH_INSTRUMENTS", "100000"))
    only = os.environ.get("LEXDESK_BENCH_LIST_ONLY") == "1"
    databases = os.environ.get("LEXDESK_BENCH_DATABASES", "sqlite,postgresql").split(",")
    figures = {}
    if "sqlite" in databases:
        figures["sqlite"] = measure("SQLite", _sqlite(not only), count, list_only=only)
    if "postgresql" in databases:
        figures["postgresql"] = measure("PostgreSQL", _postgres(not only), count, list_only=only)
    return figures


if __name__ == "__main__":
    run()

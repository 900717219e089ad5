"""Import a jail roster through ``lexdesk persons import``'s service, on SQLite and PostgreSQL:
100,000 rows by default, then the same file again (every row unchanged). Prints rows per second
for both, and the audit chain's length after them.

    python -m benchmarks.bench_roster
    LEXDESK_BENCH_ROSTER_ROWS=10000 LEXDESK_BENCH_DATABASES=sqlite python -m benchmarks.bench_roster
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.services import agencies, roster
from lexdesk.services.context import Desk

HEADER = (
    "booking_number", "nysid", "family_name", "given_name", "arrested_on", "booked_at",
    "expected_release_at", "charge_offense", "charge_class",
)  # fmt: skip
ROWS = int(os.environ.get("LEXDESK_BENCH_ROSTER_ROWS", "100000"))
DATABASES = os.environ.get("LEXDESK_BENCH_DATABASES", "sqlite,postgresql").split(",")
FOLDER = Path("var/bench")
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def write_roster(path: Path, rows: int) -> None:
    now = datetime.now(UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            booked = now - timedelta(days=1 + n % 300)
            release = "" if n % 7 == 0 else (now + timedelta(days=1 + n % 90)).isoformat()
            out.writerow([f"R{n:09d}", f"{n:08d}B", f"Rosterperson{n}", "Sam",
                          booked.date().isoformat(), booked.isoformat(), release,
                          "NY PL 155.30", "E felony"])  # fmt: skip


def read_roster(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        roster.check_columns(reader.fieldnames or [])
        for row in reader:
            yield reader.line_num, row


def _desk(url: str) -> Desk:
    engine = create_database_engine(url)
    upgrade(engine)
    clock = SystemClock()
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())
    agencies.register_agency(
        desk, agencies.RegisterAgency("jail", "Jail", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    agencies.add_user(desk, agencies.AddUser("jail-officer", "jail", "Officer", ("officer",)))
    return desk


def _fresh(database: str) -> str:
    if database == "sqlite":
        target = FOLDER / "roster.sqlite3"
        target.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{target}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text('DROP DATABASE IF EXISTS "lexdesk_bench_roster" WITH (FORCE)'))
        db.execute(text('CREATE DATABASE "lexdesk_bench_roster"'))
    admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + "/lexdesk_bench_roster"


def run() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / "roster.csv"
    write_roster(path, ROWS)
    for database in DATABASES:
        desk = _desk(_fresh(database))
        for label in ("first import", "same file again"):
            began = time.perf_counter()
            report = roster.import_roster(desk, "jail-officer", read_roster(path))
            seconds = time.perf_counter() - began
            counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
            print(f"roster {database} {label}: {ROWS} rows in {seconds:.1f} s = "
                  f"{ROWS / seconds:,.0f} rows/s ({counts})")  # fmt: skip


if __name__ == "__main__":
    run()

"""Kill -9 a process committing the desk's business transactions, many times over, on SQLite
and on PostgreSQL, checking after every kill; run before a release (``make crash``):

    .venv/bin/python scripts/crash_harness.py --sqlite 1000 --postgres 200 [--postgres-url URL]

After each kill: SQLite's integrity_check, or on PostgreSQL that the server ended the dead
client's session and a new writer is not blocked; every acknowledged commit present; no partial
transaction; the audit chain verified. The checks are those of ``tests/reliability/crashes.py``,
which ``make test`` runs 100 and 30 times (docs/reliability.md). Exits 1 on any failure.

PostgreSQL runs in a database of its own on the server of ``--postgres-url`` (default
``LEXDESK_TEST_POSTGRES_URL``), created for the run and dropped after it (``--keep`` keeps it
and the SQLite file)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.databases import sqlite_url
from tests.reliability.crashes import (
    CrashSummary,
    create_postgres_database,
    drop_postgres_database,
    run_crashes,
)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def progress(every: int) -> Callable[[int, CrashSummary], None]:
    started = time.monotonic()

    def tell(done: int, summary: CrashSummary) -> None:
        if done % every == 0:
            say(
                f"  {summary.backend}: {done} kills, {summary.acknowledged} acknowledged commits,"
                f" {len(summary.failures)} failures, {time.monotonic() - started:.0f} s"
            )

    return tell


def on_sqlite(kills: int, seed: int, keep: bool) -> CrashSummary:
    folder = Path(tempfile.mkdtemp(prefix="lexdesk-crash-"))
    url = sqlite_url(folder, "crash.sqlite3")
    say(f"SQLite, {kills} kills: {url}")
    summary = run_crashes(url, kills, seed, progress(100))
    if keep:
        say(f"  kept {folder}")
    else:
        shutil.rmtree(folder)
    return summary


def on_postgres(kills: int, seed: int, admin_url: str, keep: bool) -> CrashSummary:
    name = f"lexdesk_crash_{os.getpid()}"
    url = create_postgres_database(admin_url, name)
    say(f"PostgreSQL, {kills} kills: database {name}")
    try:
        return run_crashes(url, kills, seed, progress(25))
    finally:
        if keep:
            say(f"  kept database {name}")
        else:
            drop_postgres_database(admin_url, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sqlite", type=int, default=1000, help="kills on SQLite (0: none)")
    parser.add_argument("--postgres", type=int, default=200, help="kills on PostgreSQL (0: none)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LEXDESK_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL,
        help="a server and a role that may create databases (default: LEXDESK_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--seed", type=int, default=1, help="where the kills land (random.seed)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    summaries: list[CrashSummary] = []
    errors: list[str] = []
    if args.sqlite > 0:
        summaries.append(on_sqlite(args.sqlite, args.seed, args.keep))
    if args.postgres > 0:
        try:
            summaries.append(on_postgres(args.postgres, args.seed, args.postgres_url, args.keep))
        except Exception as error:  # no server, no right to create a database: say so, fail
            errors.append(f"PostgreSQL could not run: {type(error).__name__}: {error}")
    say("")
    for summary in summaries:
        for line in summary.lines():
            say(line)
    for problem in errors:
        say(problem)
    ok = not errors and all(summary.ok for summary in summaries)
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Audited writes and audited reads from many clients at once, on PostgreSQL: what the chain
costs when it is written under load (issue figures: 1,000 writes and 2,000 reads a second
from 16 clients), against the same workload on a baseline version of lexdesk, the same run.

    python -m benchmarks.bench_audit_load
    LEXDESK_BENCH_BASELINE=<git ref> LEXDESK_BENCH_CLIENTS=16 LEXDESK_BENCH_SECONDS=10 \\
        python -m benchmarks.bench_audit_load

Each client is a process of its own (one connection, its own interpreter: the figure is the
database's and the desk's, not one interpreter's lock). An audited write is a transaction that
writes a row (the client's heartbeat) and records its entry; an audited read reads a row (an
agency) and records the read in a transaction of its own, as every read of personal data is
(``services.audit.record_read``). The baseline (default: the last version whose requests took
the chain's lock, ``6686b5e``) is checked out into a temporary work tree and imported from
there; each version gets a fresh database. The chain must verify after each run, with one entry
per operation counted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.many_clients import baseline_and_now, desk, load

BASELINE = os.environ.get("LEXDESK_BENCH_BASELINE", "6686b5e")
CLIENTS = int(os.environ.get("LEXDESK_BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("LEXDESK_BENCH_SECONDS", "10"))


# -- a client: runs in a process whose lexdesk is the version measured -------------------------


def audited_write(url: str, number: int) -> Callable[[], None]:
    from lexdesk.services import audit

    the_desk, name = desk(url), f"bench-client-{number}"
    started = the_desk.clock.now()

    def write() -> None:
        with the_desk.uow() as uow:
            uow.outbox.beat(name, the_desk.clock.now(), started_at=started)
            audit.record(
                uow, actor=name, agency="", action="bench.write", object_type="worker",
                object_id=name, source="bench",
            )  # fmt: skip
            uow.commit()

    return write


def audited_read(url: str, number: int) -> Callable[[], None]:
    from lexdesk.services import audit

    the_desk, name = desk(url), f"bench-client-{number}"

    def read() -> None:
        with the_desk.uow() as uow:
            uow.agencies.get("ice")
        audit.record_read(
            the_desk, actor=name, agency="ice", object_type="agency", object_id="ice",
            source="bench",
        )  # fmt: skip

    return read


def _prepare(url: str) -> None:
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.migrations import upgrade
    from lexdesk.services import agencies

    upgrade(create_database_engine(url))
    agencies.register_agency(desk(url), agencies.RegisterAgency("ice", "ICE", "immigration", "US"))


def _check(url: str) -> dict[str, int]:
    from lexdesk.services import audit

    result = audit.verify(desk(url))  # chains what waits first, where there is a queue
    assert result.ok, result.reason
    return {"entries": result.checked}


def child(url: str) -> None:
    """Prepare the database, load it with writes then reads, check the chain; print JSON."""
    _prepare(url)
    figures = {
        "writes": load(audited_write, url, CLIENTS, SECONDS),
        "reads": load(audited_read, url, CLIENTS, SECONDS),
    }
    print(json.dumps(figures | {"check": _check(url)}))


# -- the parent: one fresh database and one process tree per version ---------------------------


def run() -> dict[str, dict[str, Any]]:
    load_before = os.getloadavg()[0]
    results = baseline_and_now("benchmarks.bench_audit_load", "lexdesk_bench_audit", BASELINE)
    load_after = os.getloadavg()[0]
    print(
        f"audited writes and reads, PostgreSQL, {CLIENTS} client processes, {SECONDS:.0f} s"
        f" each (load {load_before:.1f} -> {load_after:.1f}); baseline {BASELINE}:"
    )
    print(f"  command: LEXDESK_BENCH_BASELINE={BASELINE} python -m benchmarks.bench_audit_load")
    for kind, goal in (("writes", 1000), ("reads", 2000)):
        before, after = results["baseline"][kind], results["now"][kind]
        print(
            f"  audited {kind}: baseline {before['per_s']:,.0f}/s"
            f" (p50 {before['p50_ms']:.1f} ms, p99 {before['p99_ms']:.1f} ms),"
            f" now {after['per_s']:,.0f}/s (p50 {after['p50_ms']:.1f} ms,"
            f" p99 {after['p99_ms']:.1f} ms): {after['per_s'] / before['per_s']:.2f}x;"
            f" goal {goal:,}/s; the desk's own CPU an operation, in the clients:"
            f" {before['client_cpu_ms']:.2f} -> {after['client_cpu_ms']:.2f} ms"
        )
    for version, figures in results.items():
        print(f"  {version}: chain verified, {figures['check']['entries']:,} entries")
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        run()

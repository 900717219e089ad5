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
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BASELINE = os.environ.get("LEXDESK_BENCH_BASELINE", "6686b5e")
CLIENTS = int(os.environ.get("LEXDESK_BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("LEXDESK_BENCH_SECONDS", "10"))
WARMUP = 1.0


# -- a client: runs in a process whose lexdesk is the version measured -------------------------


def _desk(url: str):  # type: ignore[no-untyped-def]
    from lexdesk.adapters.clock import SystemClock
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.rulebook import PackRuleBook
    from lexdesk.adapters.unit_of_work import SqlUnitOfWork
    from lexdesk.services.context import Desk

    engine = create_database_engine(url)
    clock = SystemClock()
    return Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())


def _client(url: str, kind: str, number: int, ready: object, go: object, out: object) -> None:
    from lexdesk.services import audit

    desk = _desk(url)
    name = f"bench-client-{number}"
    started = desk.clock.now()

    def write() -> None:
        with desk.uow() as uow:
            uow.outbox.beat(name, desk.clock.now(), started_at=started)
            audit.record(
                uow, actor=name, agency="", action="bench.write", object_type="worker",
                object_id=name, source="bench",
            )  # fmt: skip
            uow.commit()

    def read() -> None:
        with desk.uow() as uow:
            uow.agencies.get("ice")
        audit.record_read(
            desk, actor=name, agency="ice", object_type="agency", object_id="ice", source="bench"
        )

    act = write if kind == "writes" else read
    act()  # connected and every statement prepared before the clock runs
    ready.put(number)  # type: ignore[attr-defined]
    go.wait()  # type: ignore[attr-defined]
    begin = time.time() + WARMUP
    until = begin + SECONDS
    while time.time() < begin:
        act()
    latencies: list[float] = []
    cpu = time.process_time()
    while (now := time.time()) < until:
        act()
        latencies.append(time.time() - now)
    out.put((latencies, time.process_time() - cpu))  # type: ignore[attr-defined]


def _prepare(url: str) -> None:
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.migrations import upgrade
    from lexdesk.services import agencies

    upgrade(create_database_engine(url))
    desk = _desk(url)
    agencies.register_agency(desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))


def _check(url: str) -> dict[str, int]:
    from lexdesk.services import audit

    desk = _desk(url)
    result = audit.verify(desk)  # chains what waits first, where there is a queue
    assert result.ok, result.reason
    return {"entries": result.checked}


def _load(url: str, kind: str) -> dict[str, float]:
    # Spawned, not forked: a fork would share this process's pooled connections.
    spawning = multiprocessing.get_context("spawn")
    ready, out, go = spawning.Queue(), spawning.Queue(), spawning.Event()
    clients = [
        spawning.Process(target=_client, args=(url, kind, n, ready, go, out))
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    for _ in clients:  # every client imported, connected and warm before the clock runs
        ready.get()
    go.set()
    results = [out.get() for _ in clients]
    for client in clients:
        client.join()
    latencies = sorted(x for measured, _ in results for x in measured)
    cpu = sum(seconds for _, seconds in results)
    return {
        "per_s": len(latencies) / SECONDS,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "client_cpu_ms": cpu / len(latencies) * 1000,
    }


def child(url: str) -> None:
    """Prepare the database, load it with writes then reads, check the chain; print JSON."""
    _prepare(url)
    figures = {"writes": _load(url, "writes"), "reads": _load(url, "reads")}
    print(json.dumps(figures | {"check": _check(url)}))


# -- the parent: one fresh database and one process tree per version ---------------------------


def _database(name: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(make_url(POSTGRES).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def _measure(version: str, source: Path) -> dict[str, dict[str, float]]:
    url = _database(f"lexdesk_bench_audit_{version}")
    environment = os.environ | {"PYTHONPATH": f"{source}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_audit_load", "--child", url],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the {version} run failed:\n{done.stderr[-3000:]}")
    figures: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run() -> dict[str, dict[str, dict[str, float]]]:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), BASELINE],
            cwd=ROOT, check=True,
        )  # fmt: skip
        try:
            results = {
                "baseline": _measure("baseline", tree / "src"),
                "now": _measure("now", ROOT / "src"),
            }
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
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

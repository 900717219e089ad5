"""The harness of the benchmarks that load PostgreSQL from many clients at once, each version
of lexdesk measured the same way in the same run.

Each client is a process of its own (spawned: one connection, its own interpreter, so the
figure is the database's and the desk's, not one interpreter's lock). A client builds its act
(``make_act(url, number)``, a function importable by name), does it once so that it is
connected and every statement prepared, and waits; the clock starts when every client is
ready, runs a warm-up, then counts for ``seconds``.

A version is measured in a process of its own whose ``lexdesk`` is imported from a source tree
(the work tree, or a git ref checked out into a temporary work tree), on a fresh database.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WARMUP = 1.0

#: Builds a client's act: the url of the database and the client's number.
MakeAct = Callable[[str, int], Callable[[], None]]


def desk(url: str):  # type: ignore[no-untyped-def]
    """The desk over ``url``, as the services run it, built from the version imported."""
    from lexdesk.adapters.clock import SystemClock
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.rulebook import PackRuleBook
    from lexdesk.adapters.unit_of_work import SqlUnitOfWork
    from lexdesk.services.context import Desk

    engine = create_database_engine(url)
    clock = SystemClock()
    return Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())


def _client(
    make_act: MakeAct, url: str, number: int, seconds: float, ready: object, go: object, out: object
) -> None:
    act = make_act(url, number)
    act()  # connected and every statement prepared before the clock runs
    ready.put(number)  # type: ignore[attr-defined]
    go.wait()  # type: ignore[attr-defined]
    begin = time.time() + WARMUP
    until = begin + seconds
    while time.time() < begin:
        act()
    latencies: list[float] = []
    cpu = time.process_time()
    while (now := time.time()) < until:
        act()
        latencies.append(time.time() - now)
    out.put((latencies, time.process_time() - cpu))  # type: ignore[attr-defined]


def load(make_act: MakeAct, url: str, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` processes doing their act for ``seconds`` together: operations a second,
    p50 and p99 in ms, and the desk's own CPU an operation, measured in the clients."""
    # Spawned, not forked: a fork would share this process's pooled connections.
    spawning = multiprocessing.get_context("spawn")
    ready, out, go = spawning.Queue(), spawning.Queue(), spawning.Event()
    processes = [
        spawning.Process(target=_client, args=(make_act, url, n, seconds, ready, go, out))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    for _ in processes:  # every client imported, connected and warm before the clock runs
        ready.get()
    go.set()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for measured, _ in results for x in measured)
    cpu = sum(spent for _, spent in results)
    return {
        "per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "client_cpu_ms": cpu / len(latencies) * 1000,
    }


def fresh_database(name: str) -> str:
    """A new, empty PostgreSQL database ``name`` beside the configured one; its url."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(make_url(POSTGRES).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def _measure(module: str, prefix: str, version: str, source: Path) -> dict[str, object]:
    url = fresh_database(f"{prefix}_{version}")
    environment = os.environ | {"PYTHONPATH": f"{source}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", url],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the {version} run failed:\n{done.stderr[-3000:]}")
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def baseline_and_now(module: str, prefix: str, baseline: str) -> dict[str, dict[str, object]]:
    """Run ``python -m module --child URL`` for ``baseline`` (a git ref, checked out into a
    temporary work tree) and for the work tree, each on a fresh database named from
    ``prefix``; each child prints its figures as JSON on its last line."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), baseline],
            cwd=ROOT, check=True,
        )  # fmt: skip
        try:
            return {
                "baseline": _measure(module, prefix, "baseline", tree / "src"),
                "now": _measure(module, prefix, "now", ROOT / "src"),
            }
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)

"""An authenticated list request over HTTP, against a bare Starlette JSON endpoint on the same
machine, both served the same way (uvicorn in a subprocess on 127.0.0.1, ``WORKERS`` worker
processes started as ``lexdesk serve --workers N`` starts them, the settings in ``UVICORN``)
and loaded by 8 client threads, one after the other in the same run. Prints p50/p99 latency
and requests per second of each, and their ratio.

    python -m benchmarks.bench_api                      # 100,000 instruments on PostgreSQL
    LEXDESK_BENCH_INSTRUMENTS=10000 python -m benchmarks.bench_api

The instruments are loaded in bulk (the rows the services write for an issued detainer), after
agencies, users and a person made through the services; the user signs in with password and
TOTP like anyone else. Each request authenticates its session and reads a page of 50, in one
transaction (the session's activity is written at most once a minute).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from lexdesk.adapters import orm
from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.services import accounts, agencies

CLIENTS = int(os.environ.get("LEXDESK_BENCH_CLIENTS", "8"))
#: Worker processes for each contender: one per core of the 2-core machine it was tuned on.
WORKERS = int(os.environ.get("LEXDESK_BENCH_WORKERS", "2"))
#: The same uvicorn settings for both contenders.
UVICORN: dict[str, Any] = {
    "host": "127.0.0.1",
    "workers": WORKERS,
    "factory": True,
    "log_level": "info",  # each worker's start, which _serve waits for
    "access_log": False,
}
REQUESTS = int(os.environ.get("LEXDESK_BENCH_REQUESTS", "2000"))
PASSWORD = "a benchmark passphrase of some length"  # noqa: S105 (a fictional account)
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LIST = "/api/v1/instruments?box=received&status=issued&limit=50"


def _database() -> str:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text('DROP DATABASE IF EXISTS "lexdesk_bench_api" WITH (FORCE)'))
        db.execute(text('CREATE DATABASE "lexdesk_bench_api"'))
    admin.dispose()
    return make_url(POSTGRES).set(database="lexdesk_bench_api").render_as_string(False)


def _seed(url: str, count: int) -> str:
    """Agencies, users and a person through the services; instruments in bulk. The token."""
    from lexdesk.adapters.migrations import upgrade

    app = build(Settings(database_url=url))
    upgrade(app.engine)
    desk = app.desk
    agencies.register_agency(desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    command = agencies.AddUser("doc-officer", "doc", "Officer", ("officer",))
    secret = accounts.add_account(desk, command, PASSWORD)[1].totp_secret
    agencies.add_user(desk, agencies.AddUser("ice-officer", "ice", "Officer", ("officer",)))
    now = datetime.now(UTC)
    _bulk(app.engine, count, now)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, "bench")
    token, _ = accounts.complete_login(desk, ticket, pyotp.TOTP(secret).now(), "bench")
    app.engine.dispose()
    return token


def _bulk(engine: Any, count: int, now: datetime) -> None:
    per_case, batch = 5, 5000
    with engine.begin() as db:
        for start in range(0, count, batch):
            n_rows = range(start, min(start + batch, count))
            # One person per case: a person has one open case per pair of agencies.
            people = [_person(n, now) for n in n_rows if n % per_case == 0]
            db.execute(insert(orm.persons), people)
            cases = [
                {
                    "id": f"cas-{n:016x}",
                    "requesting_agency_id": "ice",
                    "custodial_agency_id": "doc",
                    "person_id": f"per-{n:016x}",
                    "opened_at": now,
                    "status": "open",
                    "version": 1,
                }
                for n in n_rows
                if n % per_case == 0
            ]
            db.execute(insert(orm.cases), cases)
            db.execute(insert(orm.instruments), [_instrument(n, per_case, now) for n in n_rows])
        db.execute(text("ANALYZE"))


def _instrument(n: int, per_case: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"ins-{n:016x}",
        "case_id": f"cas-{n - n % per_case:016x}",
        "position": n % per_case,
        "kind": "detainer",
        "actions": ["hold", "notify_release"],
        "warrant": "administrative",
        "issuer_agency_id": "ice",
        "addressee_agency_id": "doc",
        "parent_id": None,
        "status": "issued",
        "created_at": now,
        "issued_at": now,
        "due_at": now + timedelta(minutes=n),
        "due": None,
        "reference": "",
        "version": 1,
        "produce_to": ["ice"],
        "issuer_status": "issued",
        "issuer_due_at": now + timedelta(minutes=n),
    }


def _person(n: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"per-{n:016x}",
        "owner_agency_id": "doc",
        "family_name": f"Benchperson{n}",
        "given_name": "Sam",
        "date_of_birth": None,
        "place_of_birth": "",
        "citizenship": "",
        "facts": {},
        "record": {},
        "created_at": now,
        "public_information": {},
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(kind: str, url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a contender and wait until every worker has started: a worker still starting
    accepts no connection, and the clients' keep-alive connections would all go to the others."""
    port = _free_port()
    env = os.environ | {"LEXDESK_DATABASE_URL": url}
    command = [sys.executable, "-m", "benchmarks.bench_api", kind, str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    started = threading.Semaphore(0)

    def watch(stream: Any) -> None:  # uvicorn logs each worker's start; drain the rest
        for line in stream:
            if b"Application startup complete" in line:
                started.release()

    threading.Thread(target=watch, args=(process.stderr,), daemon=True).start()
    deadline = time.monotonic() + 60
    for _ in range(WORKERS):
        if not started.acquire(timeout=max(0.0, deadline - time.monotonic())):
            process.kill()
            raise RuntimeError(f"the {kind} server did not start")
    base = f"http://127.0.0.1:{port}"
    httpx.get(base + "/", timeout=5)
    return process, base


def _load(base: str, path: str, headers: dict[str, str]) -> dict[str, float]:
    latencies: list[float] = []
    lock, each = threading.Lock(), REQUESTS // CLIENTS

    def client() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            for _ in range(20):
                http.get(path).raise_for_status()  # warm up
            mine = []
            for _ in range(each):
                start = time.perf_counter()
                http.get(path).raise_for_status()
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50": cuts[49] * 1000, "p99": cuts[98] * 1000, "rps": len(latencies) / elapsed}


def _measure(kind: str, url: str, path: str, headers: dict[str, str]) -> dict[str, float]:
    process, base = _serve(kind, url)
    try:
        return _load(base, path, headers)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run() -> None:
    count = int(os.environ.get("LEXDESK_BENCH_INSTRUMENTS", "100000"))
    url = _database()
    began = time.perf_counter()
    token = _seed(url, count)
    print(f"api: {count:,} instruments on PostgreSQL loaded in {time.perf_counter() - began:.1f} s")
    shown = ", ".join(f"{k}={v}" for k, v in UVICORN.items() if k not in {"host", "factory"})
    print(f"api: both served by uvicorn {uvicorn_version()} ({shown}, TCP_NODELAY)")
    bare = _measure("bare", url, "/", {})
    api = _measure("api", url, LIST, {"Authorization": f"Bearer {token}"})
    for name, figures in (("bare Starlette JSON", bare), ("lexdesk list (auth)", api)):
        print(
            f"api: {name:<20} p50 {figures['p50']:6.2f} ms  p99 {figures['p99']:6.2f} ms"
            f"  {figures['rps']:7.0f} req/s  ({CLIENTS} clients, {REQUESTS} requests)"
        )
    print(
        f"api: ratio lexdesk/bare: p50 x{api['p50'] / bare['p50']:.1f}, "
        f"throughput {api['rps'] / bare['rps']:.2f}"
    )


def uvicorn_version() -> str:
    import uvicorn

    return str(uvicorn.__version__)


def bare_app() -> Any:
    """The factory of the bare contender: one async JSON endpoint."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request: Request) -> JSONResponse:
        return JSONResponse({"items": [], "next_cursor": None})

    return Starlette(routes=[Route("/", hello)])


def api_app() -> Any:
    """The factory of the lexdesk contender, as ``lexdesk serve --workers N`` builds it."""
    from lexdesk.entrypoints.app import create_app

    return create_app(build(Settings()))


def _serve_here(kind: str, port: int) -> None:
    from lexdesk.entrypoints.cli.serve import run_workers

    factory = "bare_app" if kind == "bare" else "api_app"
    run_workers(f"benchmarks.bench_api:{factory}", port=port, **UVICORN)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        _serve_here(sys.argv[1], int(sys.argv[2]))
    else:
        run()

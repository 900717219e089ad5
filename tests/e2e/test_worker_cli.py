"""``lexdesk worker``, ``lexdesk outbox`` and ``lexdesk serve --with-worker``, as real
processes on the demo database: the demo's deadlines move on their own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from lexdesk.adapters import orm
from tests.databases import copy_database, sqlite_url


def lexdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lexdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo, loaded once; each test works on a copy."""
    url = sqlite_url(tmp_path_factory.mktemp("worker"))
    env = {**os.environ, "LEXDESK_DATABASE_URL": url}
    for step in (("init",), ("demo",)):
        done = lexdesk(env, *step)
        assert done.returncode == 0, done.stderr
    return url


@pytest.fixture
def demo(template: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "LEXDESK_DATABASE_URL": copy_database(template, tmp_path)}


def lapsed(url: str) -> int:
    engine = create_engine(url)
    t = orm.instruments
    with engine.connect() as db:
        count = db.execute(select(func.count()).select_from(t).where(t.c.status == "lapsed"))
        found = int(count.scalar_one())
    engine.dispose()
    return found


def first_answer(url: str, tries: int = 150) -> httpx.Response | None:
    """The first answer of a server that is starting: polls ``url`` until it answers 200 (or
    the tries run out) and returns the last answer, if any came."""
    answer = None
    for _ in range(tries):
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == 200:
                return answer
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_worker_once_sweeps_and_a_second_run_changes_nothing(demo: dict[str, str]) -> None:
    first = lexdesk(demo, "worker", "--once", "--json")
    assert first.returncode == 0, first.stderr
    report: Any = json.loads(first.stdout)
    assert report["sweep"]["lapsed"] > 0  # the demo's 2020 deadlines are long past
    assert report["delivery"]["expanded"] > 0
    again = json.loads(lexdesk(demo, "worker", "--once", "--json").stdout)
    assert again["sweep"]["lapsed"] == 0 and again["sweep"]["reminders"] == 0
    assert again["delivery"]["expanded"] == 0
    listed = lexdesk(demo, "outbox", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    bad = lexdesk(demo, "outbox", "list", "--status", "lost")
    assert bad.returncode == 2
    assert bad.stderr == "lexdesk: unknown status 'lost': use pending, delivered or dead\n"


def test_serve_runs_the_worker_on_sqlite_and_a_second_worker_is_refused(
    demo: dict[str, str],
) -> None:
    url = demo["LEXDESK_DATABASE_URL"]
    env = {**demo, "LEXDESK_SWEEP_INTERVAL": "1"}
    assert lapsed(url) == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lexdesk", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = first_answer(f"http://127.0.0.1:{port}/api/v1/health")
        assert health is not None and health.status_code == 200, health and health.text
        assert "last_sweep" in health.json()
        assert lapsed(url) > 0  # no one ran a sweep by hand
        second = lexdesk(env, "worker", "--once")
        assert second.returncode == 2
        assert second.stderr.startswith("lexdesk: a worker is already running on ")
        assert second.stderr.count("\n") == 1
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert "lexdesk_sweeps_total" in metrics.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert lexdesk(env, "worker", "--once").returncode == 0  # the lock went with the server

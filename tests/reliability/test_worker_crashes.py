"""The worker killed with SIGKILL while it delivers, 50 times (scripts/worker_crashes.py runs
1,000): every message is delivered at least once, and every duplicate carries the same
idempotency key. Four workers on one PostgreSQL database with 10,000 due events: none lost,
none delivered twice, none by two workers at once."""

from __future__ import annotations

import os
from pathlib import Path

from tests.databases import postgres_database, sqlite_url
from tests.reliability.crashing_worker import crash_cycles, parallel_workers, prepare
from tests.worker.sinks import WebhookSink, webhook_server

CYCLES = int(os.environ.get("LEXDESK_CRASH_CYCLES", "50"))


def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path: Path) -> None:
    sink = WebhookSink(delay=0.002)
    with webhook_server(sink) as hook:
        url = sqlite_url(tmp_path)
        built = prepare(url, hook, events=1500)
        report = crash_cycles(built, url, sink, CYCLES, seed=11)
    assert report.cycles == CYCLES, report
    assert report.killed_mid_delivery >= CYCLES * 0.9, report
    assert report.lost == 0, report
    assert report.mismatched_keys == 0, report
    assert report.messages == 1500
    assert report.deliveries == report.messages + report.duplicates


def test_four_workers_on_postgresql_share_10000_events_exactly_once() -> None:
    sink = WebhookSink()
    with webhook_server(sink) as hook:
        url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_parallel")
        built = prepare(url, hook, events=10_000)
        report = parallel_workers(built, url, sink, workers=4)
    assert report.messages == 10_000
    assert (report.lost, report.twice, report.overlapping) == (0, 0, 0), report
    assert report.deliveries == 10_000

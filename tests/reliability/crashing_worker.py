"""A worker killed with SIGKILL at random moments while it delivers, started again each time,
until its outbox is empty; and several workers at once on one PostgreSQL database. Used by
tests/reliability/test_worker_crashes.py (50 cycles) and scripts/worker_crashes.py (1,000)."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from lexdesk.adapters import orm
from lexdesk.adapters.couriers import message_id
from lexdesk.adapters.worker_lock import run_loop
from lexdesk.bootstrap import App, build, build_worker
from lexdesk.config import Settings
from lexdesk.domain.notifications import Topic
from lexdesk.services import agencies, notifications
from tests.databases import migrated_engine
from tests.worker.sinks import WebhookSink

#: Workers fork from the test process: a start costs milliseconds, not an interpreter's import.
FORK = multiprocessing.get_context("fork")


def prepare(url: str, hook: str, events: int) -> App:
    """A desk with one agency subscribed to ``hook`` and ``events`` events in its outbox."""
    migrated_engine(url).dispose()
    built = build(Settings(database_url=url))
    desk = built.desk
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY-NYC", "us-ny-nyc-doc")
    )
    agencies.add_user(desk, agencies.AddUser("doc-admin", "doc", "doc admin", ("admin",)))
    notifications.add_subscription(desk, "doc-admin", hook, [])
    now = datetime.now(UTC)
    rows = [
        {
            "key": f"load/{n}",
            "agency_id": "doc",
            "topic": Topic.CHANGED.value,
            "subject": f"event {n}",
            "link": f"/instruments/ins-{n}",
            "instrument_id": f"ins-{n}",
            "data": {"n": str(n)},
            "at": now,
        }
        for n in range(events)
    ]
    with built.engine.begin() as db:  # as use cases write them, 10,000 at once
        db.execute(insert(orm.outbox_events), rows)
    return built


def _work(url: str, name: str) -> None:
    """A worker process: deliver until told to stop (or killed)."""
    settings = Settings(database_url=url, delivery_timeout=5.0, sweep_interval=3600)
    built = build(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    run_loop(built.engine, build_worker(built, name), interval=3600, stop=stop)


def _drain(url: str, name: str) -> None:
    """A worker process: deliver everything due, then exit."""
    built = build(Settings(database_url=url, delivery_timeout=5.0))
    worker = build_worker(built, name)
    while True:
        report = worker.deliver()
        if not report.expanded and not sum(report.delivered.values()):
            return


def undelivered(built: App) -> int:
    m = orm.outbox_messages
    e = orm.outbox_events
    with built.engine.connect() as db:
        waiting = db.execute(
            select(func.count()).select_from(m).where(m.c.status != "delivered")
        ).scalar_one()
        unexpanded = db.execute(
            select(func.count()).select_from(e).where(e.c.expanded_at.is_(None))
        ).scalar_one()
    return int(waiting) + int(unexpanded)


def expected_ids(built: App) -> dict[str, str]:
    """webhook-id -> idempotency key, for every message."""
    m = orm.outbox_messages
    with built.engine.connect() as db:
        keys = list(db.scalars(select(m.c.key)))
    return {message_id(key): key for key in keys}


@dataclass
class CrashReport:
    cycles: int = 0
    killed_mid_delivery: int = 0
    deliveries: int = 0
    messages: int = 0
    duplicates: int = 0
    lost: int = 0
    mismatched_keys: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def crash_cycles(built: App, url: str, sink: WebhookSink, cycles: int, seed: int) -> CrashReport:
    """Start a worker, let it deliver a little, SIGKILL it; ``cycles`` times; then finish."""
    rng = random.Random(seed)
    report = CrashReport()
    started = time.monotonic()
    for cycle in range(cycles):
        if not undelivered(built):
            break
        before = len(sink.received)
        child = FORK.Process(target=_work, args=(url, f"crash-{cycle}"), daemon=True)
        child.start()
        deadline = time.monotonic() + 20
        while len(sink.received) == before and time.monotonic() < deadline and child.is_alive():
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.05))  # somewhere inside a batch, mid-delivery
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        report.cycles += 1
        if len(sink.received) > before:
            report.killed_mid_delivery += 1
    finisher = FORK.Process(target=_drain, args=(url, "finisher"))
    finisher.start()
    finisher.join()
    report.seconds = time.monotonic() - started
    expected = expected_ids(built)
    seen = Counter(sink.ids())
    report.messages = len(expected)
    report.deliveries = sum(seen.values())
    report.duplicates = sum(n - 1 for n in seen.values() if n > 1)
    report.lost = sum(1 for webhook_id in expected if webhook_id not in seen)
    with sink.lock:
        for delivery in sink.received:
            key = json.loads(delivery.body)["data"]["idempotency_key"]
            if expected.get(delivery.webhook_id) != key:
                report.mismatched_keys += 1
    return report


@dataclass
class ParallelReport:
    workers: int
    messages: int
    deliveries: int
    lost: int
    twice: int
    overlapping: int
    seconds: float


def parallel_workers(built: App, url: str, sink: WebhookSink, workers: int) -> ParallelReport:
    started = time.monotonic()
    children = [FORK.Process(target=_drain, args=(url, f"parallel-{n}")) for n in range(workers)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    seconds = time.monotonic() - started
    expected = expected_ids(built)
    seen = Counter(sink.ids())
    with sink.lock:
        spans: dict[str, list[tuple[float, float]]] = {}
        for delivery in sink.received:
            spans.setdefault(delivery.webhook_id, []).append((delivery.started, delivery.ended))
    overlapping = 0
    for intervals in spans.values():
        ordered = sorted(intervals)
        overlapping += sum(1 for a, b in itertools.pairwise(ordered) if b[0] < a[1])
    return ParallelReport(
        workers=workers,
        messages=len(expected),
        deliveries=sum(seen.values()),
        lost=sum(1 for webhook_id in expected if webhook_id not in seen),
        twice=sum(n - 1 for n in seen.values() if n > 1),
        overlapping=overlapping,
        seconds=seconds,
    )

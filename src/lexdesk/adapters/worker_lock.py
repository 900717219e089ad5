"""One worker per SQLite database: SQLite has no row locks to share work by, so a second
worker is refused, with a message, rather than let two sweep and deliver the same rows.

On PostgreSQL any number of workers run: they share the work with ``FOR UPDATE SKIP LOCKED``
(``adapters.outbox_repository``) and take the sweep in turn under an advisory lock."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, text

from lexdesk.services import audit
from lexdesk.services.worker import Worker

log = logging.getLogger("lexdesk.worker")
#: How often the outbox is looked at between sweeps: a notification waits at most this long.
POLL_SECONDS = 2.0

#: The advisory lock key of the sweep (any constant; "lexdesk" in ASCII).
SWEEP_LOCK = 0x6C6578646573


class WorkerAlreadyRunning(Exception):
    pass


@contextmanager
def sole_worker(engine: Engine) -> Iterator[None]:
    """Held for the life of a worker on SQLite; nothing on PostgreSQL."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        yield
        return
    path = Path(engine.url.database).with_suffix(".worker.lock")
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise WorkerAlreadyRunning(
            f"a worker is already running on {engine.url.database} (lock {path}): "
            "SQLite takes one worker; stop it first, or use PostgreSQL for several"
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def sweep_turn(engine: Engine) -> Iterator[bool]:
    """Whether this worker sweeps now: on PostgreSQL the one that takes the advisory lock
    (the others only deliver); on SQLite always (it is the only worker)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as db:
        taken = bool(
            db.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK}).scalar()
        )
        try:
            yield taken
        finally:
            if taken:
                db.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK})
                db.commit()


def run_loop(
    engine: Engine,
    worker: Worker,
    *,
    interval: float,
    stop: threading.Event,
    once: bool = False,
) -> None:
    """Sweep every ``interval`` seconds (when it is this worker's turn) and deliver the
    outbox in between, until ``stop`` is set. Errors are logged and the loop goes on: a
    database that is away for a minute must not end the desk's clock."""
    audit.open_channel("worker", f"lexdesk-worker {worker.name}")
    with sole_worker(engine):
        next_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    with sweep_turn(engine) as mine:
                        if mine:
                            worker.sweep()
                        else:
                            worker.beat()
                    next_sweep = time.monotonic() + interval
                worker.deliver()
            except Exception:
                if once:
                    raise
                log.exception("the worker's round failed; trying again shortly")
            if once:
                return
            stop.wait(min(POLL_SECONDS, max(0.0, next_sweep - time.monotonic())))

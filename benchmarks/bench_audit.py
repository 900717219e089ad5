"""Verifying the audit chain, as ``lexdesk audit verify`` does (through the service, from the
database): the peak memory at two lengths of chain (it must not grow with the chain), and the
rate against SHA-256 alone over the same canonical bytes, in the same run.

    python -m benchmarks.bench_audit                           # 20,000 and 100,000 entries
    LEXDESK_BENCH_AUDIT_ENTRIES=400000 python -m benchmarks.bench_audit
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.audit import AuditEntry, canonical_encoding, draft
from lexdesk.services import audit
from lexdesk.services.context import Desk

T0 = datetime(2020, 1, 17, 15, tzinfo=UTC)
BATCH = 5_000


def _fill(desk: Desk, upto: int) -> float:
    """Submit synthetic entries until the log holds ``upto``, a batch a transaction, each
    chained by the sequencer at its commit; entries chained per second."""
    with desk.uow() as uow:
        head = uow.audit.head()
    held, started = head.seq if head else 0, time.perf_counter()
    for start in range(held, upto, BATCH):
        drafts = [_synthetic(n) for n in range(start, min(start + BATCH, upto))]
        with desk.uow() as uow:
            uow.audit.submit_many(drafts)
            uow.commit()
    return (upto - held) / (time.perf_counter() - started)


def _synthetic(n: int) -> AuditEntry:
    return draft(
        at=T0, actor="system", agency="doc", action="bench.entry", object_type="instrument",
        object_id=f"ins-{n:016x}", outcome="success", source="bench",
        detail={"reason": "synthetic"},
    )  # fmt: skip


def _verify(desk: Desk) -> tuple[float, int, int]:
    """The time of a walk, then its peak memory in a second walk (tracing slows it down)."""
    started = time.perf_counter()
    result = audit.verify(desk)
    seconds = time.perf_counter() - started
    assert result.ok, result
    tracemalloc.start()
    audit.verify(desk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result.checked


def _raw_sha256(desk: Desk) -> float:
    """SHA-256 alone over every entry's canonical bytes, prepared beforehand."""
    with desk.uow() as uow:
        data = [canonical_encoding(e) for e in uow.audit.entries(0)]
    started = time.perf_counter()
    for item in data:
        hashlib.sha256(item).hexdigest()
    return len(data) / (time.perf_counter() - started)


def run() -> dict[str, float]:
    longest = int(os.environ.get("LEXDESK_BENCH_AUDIT_ENTRIES", "100000"))
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{Path(folder) / 'audit.sqlite3'}")
        upgrade(engine)
        clock = SystemClock()
        desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())
        for size in (longest // 5, longest):
            figures[f"chained_to_{size}_per_s"] = _fill(desk, size)
            seconds, peak, checked = _verify(desk)
            figures[f"verify_{checked}_per_s"] = checked / seconds
            figures[f"verify_{checked}_peak_mb"] = peak / 1e6
        raw = _raw_sha256(desk)
        figures["raw_sha256_per_s"] = raw
        figures["verify_vs_raw"] = figures[f"verify_{longest}_per_s"] / raw
        engine.dispose()
    print("audit verify (SQLite): " + ", ".join(f"{k} {v:,.2f}" for k, v in figures.items()))
    return figures


if __name__ == "__main__":
    run()

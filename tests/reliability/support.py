"""What the reliability tests share: a desk on a real database, the scale knob, a snapshot of
every table, and a fault injected at the Nth write statement."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select

from lexdesk.adapters import orm
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.services import audit
from lexdesk.services.context import Desk
from tests.fakes import FakeClock, FakeRuleBook

SCALE_ENV = "LEXDESK_RELIABILITY_SCALE"
WRITES = ("INSERT", "UPDATE", "DELETE")

Snapshot = dict[str, list[tuple[Any, ...]]]


def scale() -> float:
    """``LEXDESK_RELIABILITY_SCALE`` (default 1): multiplies the sizes of the heavy tests, so
    that a nightly run can ask for ``10`` and a quick look for ``0.2``."""
    return float(os.environ.get(SCALE_ENV, "1"))


def scaled(n: int, minimum: int = 1) -> int:
    return max(minimum, round(n * scale()))


def desk_on(engine: Engine, clock: FakeClock | None = None) -> Desk:
    clock = clock or FakeClock()
    return Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table, in primary-key order: two equal snapshots, one database."""
    taken: Snapshot = {}
    with engine.connect() as db:
        for table in orm.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            taken[table.name] = [tuple(row) for row in db.execute(select(table).order_by(*order))]
    return taken


def report(line: str) -> None:
    """A measured figure, for whoever runs the tests with ``-s``."""
    sys.stdout.write(line + "\n")


def chain_ok(desk: Desk) -> None:
    result = audit.verify(desk)
    assert result.ok, result


class InjectedFault(Exception):
    """The failure a test put in the way of a write."""


@contextmanager
def fail_at_write(engine: Engine, n: int) -> Iterator[Callable[[], list[str]]]:
    """Let the first ``n - 1`` INSERT/UPDATE/DELETE statements through and make the ``n``-th
    raise ``InjectedFault`` before it reaches the database. Yields the statements seen."""
    seen: list[str] = []

    def before(_c: object, _cur: object, statement: str, *_: object) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb not in WRITES:
            return
        seen.append(" ".join(statement.split()[:3]))
        if len(seen) == n:
            raise InjectedFault(f"write {n} refused: {seen[-1]}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda: seen
    finally:
        event.remove(engine, "before_cursor_execute", before)

"""A worker's heartbeat, as if one had just swept: the health endpoint is red without one."""

from __future__ import annotations

from lexdesk.services.context import Desk


def record_sweep(desk: Desk, worker: str = "test-worker") -> None:
    with desk.uow() as uow:
        now = desk.clock.now()
        uow.outbox.beat(worker, now, started_at=now, swept=(0.01, 0, 0))
        uow.commit()

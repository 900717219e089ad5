"""Re-driving dead letters: an administrator's act, audited."""

from __future__ import annotations

from collections.abc import Sequence

from lexdesk.services import audit
from lexdesk.services.context import Desk


def redrive(desk: Desk, message_ids: Sequence[int], actor: str, agency: str = "") -> int:
    """Dead letters back in the queue; the count of those that were dead."""
    if not message_ids:
        return 0
    with desk.uow() as uow:
        count = uow.outbox.redrive(message_ids, desk.clock.now())
        audit.record(
            uow,
            actor=actor or audit.SYSTEM,
            agency=agency,
            action="outbox.retry",
            object_type="outbox",
            object_id=",".join(str(i) for i in message_ids[:20]),
            source="cli" if not agency else "web",
            detail={"messages": str(len(message_ids)), "redriven": str(count)},
        )
        uow.commit()
    return count

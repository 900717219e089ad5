"""The idempotency keys' table: claimed before a creating POST runs, answered after it.

The claim is its own short transaction, not the route's: a second request with the same key
must see it while the first is still running, to be told to retry rather than create twice.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from lexdesk.adapters.orm import idempotency_keys as table
from lexdesk.domain.idempotency import Remembered, Verdict, verdict


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, scope: str, key: str, print_: str, now: datetime) -> Remembered | None:
        """The answer to send again, or None once the key is this request's to answer."""
        try:
            return self._claim(scope, key, print_, now)
        except IntegrityError:  # another request claimed it between our read and our insert
            return self._claim(scope, key, print_, now)

    def _claim(self, scope: str, key: str, print_: str, now: datetime) -> Remembered | None:
        mine = (table.c.scope == scope) & (table.c.key == key)
        with self.engine.begin() as db:
            row = db.execute(select(table).where(mine)).first()
            found = None
            if row is not None:
                found = Remembered(
                    row.fingerprint, row.created_at, row.status, row.body or b"",
                    json.loads(row.headers or "{}"),
                )  # fmt: skip
            if verdict(found, print_, now) is Verdict.REPLAY:
                return found
            fresh = {"fingerprint": print_, "created_at": now, "status": None}
            if row is None:
                db.execute(insert(table).values(scope=scope, key=key, **fresh))
            else:
                db.execute(update(table).where(mine).values(body=None, headers=None, **fresh))
        return None

    def answer(
        self, scope: str, key: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        mine = (table.c.scope == scope) & (table.c.key == key)
        with self.engine.begin() as db:
            db.execute(
                update(table)
                .where(mine)
                .values(status=status, body=body, headers=json.dumps(headers, sort_keys=True))
            )

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request was refused: sent again, it is answered afresh."""
        mine = (table.c.scope == scope) & (table.c.key == key) & table.c.status.is_(None)
        with self.engine.begin() as db:
            db.execute(delete(table).where(mine))

    def purge(self, before: datetime) -> int:
        with self.engine.begin() as db:
            return db.execute(delete(table).where(table.c.created_at < before)).rowcount

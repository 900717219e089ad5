"""Bringing the sealed secrets at rest under the current key (``adapters.sealing``): how many
are under each key, and sealing every one again with the current key, in one transaction."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, select, update

from lexdesk.adapters.orm import credentials as table
from lexdesk.adapters.sealing import Sealer

PLAIN = "not sealed"


def census(engine: Engine) -> dict[str, int]:
    """TOTP seeds by the key that sealed them (``not sealed``: kept before sealing was)."""
    with engine.connect() as db:
        stored = db.scalars(select(table.c.totp_secret))
        return dict(Counter(s.split(".")[1] if Sealer.is_sealed(s) else PLAIN for s in stored))


def rewrap(engine: Engine, sealer: Sealer) -> int:
    """Seal with the current key every seed that is not: how many. Online: readers open the
    old seal or the new one, whichever they find."""
    changed = 0
    with engine.begin() as db:
        rows = db.execute(select(table.c.user_id, table.c.totp_secret)).all()
        for user_id, stored in rows:
            if sealer.sealed_with_current(stored):
                continue
            fresh = sealer.seal(sealer.open(stored, user_id), user_id)
            db.execute(update(table).where(table.c.user_id == user_id).values(totp_secret=fresh))
            changed += 1
    return changed

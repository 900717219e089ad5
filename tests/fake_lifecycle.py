"""The account lifecycle's part of the fake users repository: the same behaviour as
``adapters.user_lifecycle``, in memory."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from lexdesk.domain.account_lifecycle import Dormant, quiet_since, removed_name, utc_day
from lexdesk.domain.agencies import User


@dataclass
class Life:
    """What the users table keeps of an account's life beside the ``User``."""

    created_at: datetime
    created_by: str = ""
    last_active_on: date | None = None
    enabled_on: date | None = None
    kept_on: date | None = None
    removed_at: datetime | None = None


@dataclass
class LifeRows:
    lives: dict[str, Life] = field(default_factory=dict)
    #: (username, user id, when it was freed)
    retired: list[tuple[str, str, datetime]] = field(default_factory=list)


class FakeUserLifecycle:
    rows: dict[str, User]
    life: LifeRows
    now: Callable[[], datetime]

    def _born(self, user: User, created_by: str) -> None:
        self.life.lives[user.id] = Life(self.now(), created_by)

    def _enabled(self, user_id: str) -> None:
        self.life.lives[user_id].enabled_on = utc_day(self.now())

    def record_activity(self, user_id: str, on: date) -> None:
        life = self.life.lives[user_id]
        if life.last_active_on is None or life.last_active_on < on:
            life.last_active_on = on

    def dormant(self, cutoff: date, limit: int) -> list[Dormant]:
        found = []
        for user in sorted(self.rows.values(), key=lambda u: (u.agency_id, u.username)):
            life = self.life.lives[user.id]
            quiet = quiet_since(utc_day(life.created_at), life.last_active_on, life.enabled_on)
            if user.active and life.removed_at is None and quiet <= cutoff:
                found.append(Dormant(user.id, user.username, user.agency_id, quiet, life.kept_on))
        return found[:limit]

    def note_kept(self, user_id: str, on: date) -> None:
        self.life.lives[user_id].kept_on = on

    def ended(self, now: datetime, limit: int) -> list[User]:
        found = [
            copy.deepcopy(u)
            for u in self.rows.values()
            if u.ends_at is not None
            and u.ends_at <= now
            and self.life.lives[u.id].removed_at is None
        ]
        return sorted(found, key=lambda u: (u.ends_at, u.id))[:limit]

    def remove(self, user: User, at: datetime) -> None:
        self.life.retired.append((user.username, user.id, at))
        row = self.rows[user.id]
        row.username, row.active = removed_name(user.id), False
        self.life.lives[user.id].removed_at = at

    def freed_at(self, username: str) -> datetime | None:
        times = [at for name, _, at in self.life.retired if name == username]
        return max(times, default=None)

"""The users table as the account lifecycle reads and writes it (domain/account_lifecycle.py):
activity, dormant and ended accounts, removal, and the usernames removal frees. A part of
``SqlUserRepository``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, insert, or_, select, update

from lexdesk.adapters import orm
from lexdesk.domain.account_lifecycle import Dormant, quiet_since, removed_name
from lexdesk.domain.agencies import Role, User


class SqlUserLifecycle:
    _db: Connection

    def record_activity(self, user_id: str, on: date) -> None:
        """Note that the account was used on ``on``: a write at most once a day per account,
        however often it signs in."""
        u = orm.users
        self._db.execute(
            update(u)
            .where(u.c.id == user_id, or_(u.c.last_active_on.is_(None), u.c.last_active_on < on))
            .values(last_active_on=on)
        )

    def dormant(self, cutoff: date, limit: int) -> list[Dormant]:
        """Active accounts with no sign of life after ``cutoff``: neither made, nor used, nor
        enabled since."""
        u = orm.users
        made_before = datetime.combine(cutoff + timedelta(days=1), time(0), UTC)
        query = (
            select(
                u.c.id,
                u.c.username,
                u.c.agency_id,
                u.c.created_at,
                u.c.last_active_on,
                u.c.enabled_on,
                u.c.inactivity_kept_on,
            )
            .where(u.c.active.is_(True), u.c.removed_at.is_(None), u.c.created_at < made_before)
            .where(or_(u.c.last_active_on.is_(None), u.c.last_active_on <= cutoff))
            .where(or_(u.c.enabled_on.is_(None), u.c.enabled_on <= cutoff))
            .order_by(u.c.agency_id, u.c.username)
            .limit(limit)
        )
        return [
            Dormant(
                row.id,
                row.username,
                row.agency_id,
                quiet_since(
                    row.created_at.astimezone(UTC).date(), row.last_active_on, row.enabled_on
                ),
                row.inactivity_kept_on,
            )
            for row in self._db.execute(query)
        ]

    def note_kept(self, user_id: str, on: date) -> None:
        u = orm.users
        self._db.execute(update(u).where(u.c.id == user_id).values(inactivity_kept_on=on))

    def ended(self, now: datetime, limit: int) -> list[User]:
        """Temporary accounts past their end and not yet removed."""
        u = orm.users
        query = (
            select(u)
            .where(u.c.removed_at.is_(None), u.c.ends_at.is_not(None), u.c.ends_at <= now)
            .order_by(u.c.ends_at, u.c.id)
            .limit(limit)
        )
        return [
            User(
                row.id,
                row.username,
                row.agency_id,
                row.display_name,
                frozenset(Role(r) for r in row.roles),
                row.active,
                row.ends_at,
            )
            for row in self._db.execute(query)
        ]

    def remove(self, user: User, at: datetime) -> None:
        """Disable the account for good and free its username: the row stays (the audit trail
        names it by id) under a name nobody can choose; the name goes to ``retired_usernames``."""
        self._db.execute(
            insert(orm.retired_usernames).values(
                username=user.username, user_id=user.id, retired_at=at, reason="removed"
            )
        )
        u = orm.users
        self._db.execute(
            update(u)
            .where(u.c.id == user.id)
            .values(username=removed_name(user.id), active=False, removed_at=at)
        )

    def freed_at(self, username: str) -> datetime | None:
        """When ``username`` was last freed by a removed or renamed account, if ever."""
        r = orm.retired_usernames
        query = select(r.c.retired_at).where(r.c.username == username)
        return self._db.scalar(query.order_by(r.c.retired_at.desc()).limit(1))

"""Credentials, login failures and tickets, sessions and API tokens: rows to records and back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import DEVELOPMENT, Sealer
from lexdesk.domain.accounts import ApiToken, Credentials, LoginTicket, Session, SignedIn
from lexdesk.domain.agencies import Role, User
from lexdesk.domain.vocabulary import AgencyKind


class SqlAccountRepository:
    def __init__(self, connection: Connection, sealer: Sealer = DEVELOPMENT) -> None:
        self._db = connection
        self._sealer = sealer

    def credentials(self, user_id: str) -> Credentials | None:
        table = orm.credentials
        row = self._db.execute(select(table).where(table.c.user_id == user_id)).first()
        if row is None:
            return None
        found = row._asdict()
        found["totp_secret"] = self._sealer.open(found["totp_secret"], user_id)
        return Credentials(**found)

    def save_credentials(self, credentials: Credentials) -> None:
        """The TOTP seed is sealed (``adapters.sealing``) under the user's id."""
        table, values = orm.credentials, vars(credentials).copy()
        values["totp_secret"] = self._sealer.seal(credentials.totp_secret, credentials.user_id)
        found = self._db.execute(
            update(table).where(table.c.user_id == credentials.user_id).values(**values)
        )
        if found.rowcount == 0:
            self._db.execute(insert(table).values(**values))

    def add_failure(self, user_id: str | None, at: datetime, source: str) -> None:
        values = {"user_id": user_id, "at": at, "source": source[:100]}
        self._db.execute(insert(orm.login_failures).values(**values))

    def failures_from(self, source: str, since: datetime) -> list[tuple[str | None, datetime]]:
        table = orm.login_failures
        found = select(table.c.user_id, table.c.at).where(
            table.c.source == source[:100], table.c.at >= since
        )
        return [(row.user_id, row.at) for row in self._db.execute(found)]

    def failures(self, user_id: str) -> list[datetime]:
        table = orm.login_failures
        return list(self._db.scalars(select(table.c.at).where(table.c.user_id == user_id)))

    def clear_failures(self, user_id: str) -> None:
        table = orm.login_failures
        self._db.execute(delete(table).where(table.c.user_id == user_id))

    def erase_credentials(self, user_id: str) -> None:
        """Forget the password hash, the TOTP seed and any enrolment code (a removed account)."""
        self._db.execute(delete(orm.credentials).where(orm.credentials.c.user_id == user_id))

    def mark_enrolling(self, digest: str) -> None:
        table = orm.login_tickets
        self._db.execute(update(table).where(table.c.digest == digest).values(enrolling=True))

    def add_ticket(self, ticket: LoginTicket) -> None:
        self._db.execute(insert(orm.login_tickets).values(**vars(ticket)))

    def ticket(self, digest: str) -> LoginTicket | None:
        table = orm.login_tickets
        row = self._db.execute(select(table).where(table.c.digest == digest)).first()
        return LoginTicket(**row._asdict()) if row else None

    def use_ticket(self, digest: str, at: datetime) -> bool:
        """Use the ticket once: whether this call used it (compare-and-set: of two concurrent
        uses, the second waits for the first and then finds it used)."""
        table = orm.login_tickets
        used = self._db.execute(
            update(table)
            .where(table.c.digest == digest, table.c.used_at.is_(None))
            .values(used_at=at)
        )
        return used.rowcount == 1

    def take_totp_step(self, user_id: str, step: int) -> bool:
        """Spend a TOTP time step: whether it was still unspent (a code is good once, however
        many requests bring it at the same moment)."""
        table = orm.credentials
        taken = self._db.execute(
            update(table)
            .where(table.c.user_id == user_id)
            .where(or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return taken.rowcount == 1

    def add_session(self, session: Session) -> None:
        self._db.execute(insert(orm.sessions).values(**vars(session)))

    def session(self, token_digest: str) -> Session | None:
        table = orm.sessions
        row = self._db.execute(select(table).where(table.c.token_digest == token_digest)).first()
        return Session(**row._asdict()) if row else None

    def signed_in(self, token_digest: str) -> SignedIn | None:
        """The session, its user and the user's agency's kind, in one statement: the read
        every request makes."""
        s, u, a = orm.sessions, orm.users, orm.agencies
        query = (
            select(
                *s.c,
                u.c.id.label("u_id"),
                u.c.username,
                u.c.agency_id,
                u.c.display_name,
                u.c.roles,
                u.c.active,
                u.c.ends_at,
                a.c.kind.label("agency_kind"),
            )
            .select_from(
                s.outerjoin(u, u.c.id == s.c.user_id).outerjoin(a, a.c.id == u.c.agency_id)
            )
            .where(s.c.token_digest == token_digest)
        )
        row = self._db.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        session = Session(**{c.name: m[c.name] for c in s.c})
        user = (
            User(
                id=m["u_id"],
                username=m["username"],
                agency_id=m["agency_id"],
                display_name=m["display_name"],
                roles=frozenset(Role(r) for r in m["roles"]),
                active=m["active"],
                ends_at=m["ends_at"],
            )
            if m["u_id"] is not None
            else None
        )
        kind = AgencyKind(m["agency_kind"]) if m["agency_kind"] else None
        return SignedIn(session, user, kind)

    def touch_session(self, token_digest: str, at: datetime) -> None:
        """Record activity at ``at``; never moves it back (two requests may touch at once)."""
        table = orm.sessions
        self._db.execute(
            update(table)
            .where(table.c.token_digest == token_digest, table.c.last_seen_at < at)
            .values(last_seen_at=at)
        )

    def end_session(self, token_digest: str, at: datetime, reason: str) -> None:
        table = orm.sessions
        self._db.execute(
            update(table)
            .where(table.c.token_digest == token_digest, table.c.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason)
        )

    def confirm_session(self, token_digest: str, at: datetime) -> None:
        table = orm.sessions
        self._db.execute(
            update(table).where(table.c.token_digest == token_digest).values(confirmed_at=at)
        )

    def end_sessions_of(self, user_id: str, at: datetime, reason: str, keep: str = "") -> int:
        """End every open session of the user but the one whose digest is ``keep``."""
        table = orm.sessions
        result = self._db.execute(
            update(table)
            .where(
                table.c.user_id == user_id,
                table.c.ended_at.is_(None),
                table.c.token_digest != keep,
            )
            .values(ended_at=at, end_reason=reason)
        )
        return result.rowcount

    def add_api_token(self, token: ApiToken) -> None:
        values = vars(token) | {"scopes": sorted(token.scopes)}
        self._db.execute(insert(orm.api_tokens).values(**values))

    def api_token(self, digest: str) -> ApiToken | None:
        table = orm.api_tokens
        row = self._db.execute(select(table).where(table.c.digest == digest)).first()
        return _api_token(row) if row else None

    def api_token_by_id(self, token_id: str) -> ApiToken | None:
        table = orm.api_tokens
        row = self._db.execute(select(table).where(table.c.id == token_id)).first()
        return _api_token(row) if row else None

    def revoke_api_token(self, token_id: str, at: datetime) -> None:
        table = orm.api_tokens
        self._db.execute(update(table).where(table.c.id == token_id).values(revoked_at=at))

    def live_api_tokens_made_by(self, agency_id: str, username: str, now: datetime) -> list[str]:
        t = orm.api_tokens
        query = select(t.c.id).where(
            t.c.agency_id == agency_id,
            t.c.created_by == username,
            t.c.revoked_at.is_(None),
            t.c.expires_at > now,
        )
        return list(self._db.scalars(query.order_by(t.c.id)))

    def token_used(self, token_id: str, on: date) -> bool:
        """Note that the token was used on ``on``; whether that wrote anything (once a day)."""
        t = orm.api_tokens
        written = self._db.execute(
            update(t)
            .where(t.c.id == token_id, or_(t.c.last_used_on.is_(None), t.c.last_used_on < on))
            .values(last_used_on=on)
        )
        return written.rowcount == 1

    def idle_api_tokens(self, cutoff: date, now: datetime, limit: int) -> list[ApiToken]:
        """Live tokens neither made nor used after ``cutoff``."""
        t = orm.api_tokens
        made_before = datetime.combine(cutoff + timedelta(days=1), time(0), UTC)
        query = (
            select(t)
            .where(t.c.revoked_at.is_(None), t.c.expires_at > now, t.c.created_at < made_before)
            .where(or_(t.c.last_used_on.is_(None), t.c.last_used_on <= cutoff))
            .order_by(t.c.created_at, t.c.id)
            .limit(limit)
        )
        return [_api_token(row) for row in self._db.execute(query)]


def _api_token(row: Row[Any]) -> ApiToken:
    return ApiToken(**(row._asdict() | {"scopes": frozenset(row.scopes)}))

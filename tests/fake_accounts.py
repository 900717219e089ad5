"""In-memory accounts and audit log for FakeUnitOfWork: the same behaviour as the SQL ones."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from lexdesk.domain.accounts import ApiToken, Credentials, LoginTicket, Session, SignedIn
from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.audit import Anchor, AuditEntry, sealed


@dataclass
class AccountRows:
    credentials: dict[str, Credentials] = field(default_factory=dict)
    failures: dict[str, list[datetime]] = field(default_factory=dict)
    #: Every failed sign-in: (client address, the account or None, when).
    attempts: list[tuple[str, str | None, datetime]] = field(default_factory=list)
    tickets: dict[str, LoginTicket] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    api_tokens: dict[str, ApiToken] = field(default_factory=dict)


class FakeAccounts:
    def __init__(
        self,
        rows: AccountRows,
        users: dict[str, User] | None = None,
        agencies: dict[str, Agency] | None = None,
    ) -> None:
        self.rows = rows
        self._users = users if users is not None else {}
        self._agencies = agencies if agencies is not None else {}

    def credentials(self, user_id: str) -> Credentials | None:
        return copy.deepcopy(self.rows.credentials.get(user_id))

    def save_credentials(self, credentials: Credentials) -> None:
        self.rows.credentials[credentials.user_id] = copy.deepcopy(credentials)

    def add_failure(self, user_id: str | None, at: datetime, source: str) -> None:
        if user_id is not None:
            self.rows.failures.setdefault(user_id, []).append(at)
        self.rows.attempts.append((source, user_id, at))

    def failures_from(self, source: str, since: datetime) -> list[tuple[str | None, datetime]]:
        return [(who, at) for src, who, at in self.rows.attempts if src == source and at >= since]

    def failures(self, user_id: str) -> list[datetime]:
        return list(self.rows.failures.get(user_id, []))

    def clear_failures(self, user_id: str) -> None:
        self.rows.failures.pop(user_id, None)
        self.rows.attempts = [a for a in self.rows.attempts if a[1] != user_id]

    def add_ticket(self, ticket: LoginTicket) -> None:
        self.rows.tickets[ticket.digest] = ticket

    def ticket(self, digest: str) -> LoginTicket | None:
        return self.rows.tickets.get(digest)

    def use_ticket(self, digest: str, at: datetime) -> bool:
        if self.rows.tickets[digest].used_at is not None:
            return False
        self.rows.tickets[digest] = replace(self.rows.tickets[digest], used_at=at)
        return True

    def take_totp_step(self, user_id: str, step: int) -> bool:
        creds = self.rows.credentials[user_id]
        if creds.totp_last_step is not None and creds.totp_last_step >= step:
            return False
        self.rows.credentials[user_id] = replace(creds, totp_last_step=step)
        return True

    def add_session(self, session: Session) -> None:
        self.rows.sessions[session.token_digest] = session

    def session(self, token_digest: str) -> Session | None:
        return self.rows.sessions.get(token_digest)

    def signed_in(self, token_digest: str) -> SignedIn | None:
        session = self.rows.sessions.get(token_digest)
        if session is None:
            return None
        user = copy.deepcopy(self._users.get(session.user_id))
        agency = self._agencies.get(user.agency_id) if user else None
        return SignedIn(session, user, agency.kind if agency else None)

    def touch_session(self, token_digest: str, at: datetime) -> None:
        sessions = self.rows.sessions
        found = sessions[token_digest]
        sessions[token_digest] = replace(found, last_seen_at=max(found.last_seen_at, at))

    def end_session(self, token_digest: str, at: datetime, reason: str) -> None:
        found = self.rows.sessions.get(token_digest)
        if found is not None and found.ended_at is None:
            self.rows.sessions[token_digest] = replace(found, ended_at=at, end_reason=reason)

    def confirm_session(self, token_digest: str, at: datetime) -> None:
        found = self.rows.sessions[token_digest]
        self.rows.sessions[token_digest] = replace(found, confirmed_at=at)

    def end_sessions_of(self, user_id: str, at: datetime, reason: str, keep: str = "") -> int:
        open_ones = [
            s
            for s in self.rows.sessions.values()
            if s.user_id == user_id and s.ended_at is None and s.token_digest != keep
        ]
        for session in open_ones:
            self.end_session(session.token_digest, at, reason)
        return len(open_ones)

    def add_api_token(self, token: ApiToken) -> None:
        self.rows.api_tokens[token.id] = token

    def api_token(self, digest: str) -> ApiToken | None:
        return next((t for t in self.rows.api_tokens.values() if t.digest == digest), None)

    def api_token_by_id(self, token_id: str) -> ApiToken | None:
        return self.rows.api_tokens.get(token_id)

    def revoke_api_token(self, token_id: str, at: datetime) -> None:
        tokens = self.rows.api_tokens
        tokens[token_id] = replace(tokens[token_id], revoked_at=at)

    def live_api_tokens_made_by(self, agency_id: str, username: str, now: datetime) -> list[str]:
        return sorted(
            t.id
            for t in self.rows.api_tokens.values()
            if t.agency_id == agency_id
            and t.created_by == username
            and t.revoked_at is None
            and now < t.expires_at
        )

    def token_used(self, token_id: str, on: date) -> bool:
        token = self.rows.api_tokens[token_id]
        if token.last_used_on is not None and token.last_used_on >= on:
            return False
        self.rows.api_tokens[token_id] = replace(token, last_used_on=on)
        return True

    def idle_api_tokens(self, cutoff: date, now: datetime, limit: int) -> list[ApiToken]:
        idle = [
            t
            for t in self.rows.api_tokens.values()
            if t.revoked_at is None
            and now < t.expires_at
            and max(t.created_at.date(), t.last_used_on or t.created_at.date()) <= cutoff
        ]
        return sorted(idle, key=lambda t: (t.created_at, t.id))[:limit]

    def erase_credentials(self, user_id: str) -> None:
        self.rows.credentials.pop(user_id, None)

    def mark_enrolling(self, digest: str) -> None:
        self.rows.tickets[digest] = replace(self.rows.tickets[digest], enrolling=True)


class FakeAuditLog:
    """Append-only, as the real table is: nothing here can change an entry."""

    def __init__(self, entries: list[AuditEntry], now: Callable[[], datetime]) -> None:
        self.rows = entries
        self._now = now
        self.anchors: list[Anchor] = []

    def now(self) -> datetime:
        return self._now()

    def head(self) -> AuditEntry | None:
        return self.rows[-1] if self.rows else None

    def hold(self, *, wait: bool = True) -> bool:
        return True

    def catch_up(self) -> int:
        return 0  # nothing waits: a submission is chained at once

    def submit_many(self, entries: list[AuditEntry]) -> None:
        for entry in entries:
            self.submit(entry)

    def submit(self, entry: AuditEntry) -> None:
        """Chained at once, after the last entry or the anchor a purge left."""
        last = self.head()
        after = Anchor(last.seq, last.hash) if last else self.anchor()
        self.rows.append(sealed(after, entry))

    def entries(self, after: int = 0) -> Iterator[AuditEntry]:
        return iter([e for e in self.rows if e.seq > after])

    def entry(self, seq: int) -> AuditEntry | None:
        return next((e for e in self.entries() if e.seq == seq), None)

    def anchor(self) -> Anchor | None:
        return self.anchors[-1] if self.anchors else None

    def purge_through(self, anchor: Anchor, actor: str) -> int:
        self.anchors.append(anchor)
        kept = [e for e in self.rows if e.seq > anchor.seq]
        purged = len(self.rows) - len(kept)
        self.rows[:] = kept
        return purged

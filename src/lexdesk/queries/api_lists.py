"""The API's lists: one agency's instruments, cases, users and audit entries, a page at a time.

Pages are keyset pages, never offsets: the cursor is the last row's sort key and id, so a page
costs the same at row 10 and at row 10 million, and rows added meanwhile are neither skipped nor
repeated. Rows whose sort key is empty (an instrument with no due date) come after all others,
in both directions and on both databases. An instrument list reads one side of the agency's
desk, ``received`` or ``sent``, so that PostgreSQL walks the inbox or outbox index in order.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Column, ColumnElement, Connection, Select, and_, or_, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import InvalidInput

Box = Literal["received", "sent"]
INSTRUMENT_SORTS = ("due_at", "-due_at", "issued_at", "-issued_at")
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str | None


@dataclass(frozen=True)
class InstrumentQuery:
    agency_id: str
    box: Box = "received"
    status: tuple[str, ...] = ()
    kind: str | None = None
    due_before: datetime | None = None
    counterparty: str | None = None
    sort: str = "due_at"
    limit: int = 50
    cursor: str | None = None


#: What an instrument list reads of each row: what a summary shows and the sort keys, nothing
#: else (not the free-text reference, nor the due date's explanation).
INSTRUMENT_SUMMARY = (
    "id",
    "case_id",
    "kind",
    "status",
    "actions",
    "issuer_agency_id",
    "addressee_agency_id",
    "issued_at",
    "due_at",
    "version",
)


def instruments(db: Connection, query: InstrumentQuery) -> Page:
    """A page of the agency's inbox or outbox, as summaries (the columns of
    ``INSTRUMENT_SUMMARY``)."""
    t = orm.instruments
    own, other = (
        (t.c.addressee_agency_id, t.c.issuer_agency_id)
        if query.box == "received"
        else (t.c.issuer_agency_id, t.c.addressee_agency_id)
    )
    base = select(*(t.c[name] for name in INSTRUMENT_SUMMARY)).where(own == query.agency_id)
    if query.status:
        base = base.where(t.c.status.in_(query.status))
    if query.kind:
        base = base.where(t.c.kind == query.kind)
    if query.due_before:
        base = base.where(t.c.due_at < query.due_before)
    if query.counterparty:
        base = base.where(other == query.counterparty)
    column = t.c[query.sort.lstrip("-")]
    return _keyset(db, base, column, t.c.id, query.sort, query.limit, query.cursor)


@dataclass(frozen=True)
class CaseQuery:
    agency_id: str
    status: str | None = None
    counterparty: str | None = None
    limit: int = 50
    cursor: str | None = None


def cases(db: Connection, query: CaseQuery) -> Page:
    """Cases the agency takes part in, newest first."""
    c, i = orm.cases, orm.instruments
    party = select(i.c.case_id).where(
        or_(i.c.issuer_agency_id == query.agency_id, i.c.addressee_agency_id == query.agency_id)
    )
    base = select(c).where(
        or_(
            c.c.requesting_agency_id == query.agency_id,
            c.c.custodial_agency_id == query.agency_id,
            c.c.id.in_(party),
        )
    )
    if query.status:
        base = base.where(c.c.status == query.status)
    if query.counterparty:
        base = base.where(
            or_(
                c.c.requesting_agency_id == query.counterparty,
                c.c.custodial_agency_id == query.counterparty,
            )
        )
    return _keyset(db, base, c.c.opened_at, c.c.id, "-opened_at", query.limit, query.cursor)


def users(db: Connection, agency_id: str, limit: int = 50, cursor: str | None = None) -> Page:
    u = orm.users
    base = select(u).where(u.c.agency_id == agency_id)
    return _keyset(db, base, u.c.username, u.c.id, "username", limit, cursor)


def audit_entries(
    db: Connection, agency_id: str, limit: int = 50, cursor: str | None = None
) -> Page:
    """An agency's own audit entries, oldest first."""
    a = orm.audit_log
    base = select(a).where(a.c.agency == agency_id)
    return _keyset(db, base, a.c.seq, a.c.seq, "seq", limit, cursor)


def _keyset(
    db: Connection,
    base: Select[Any],
    column: Column[Any],
    key: Column[Any],
    sort: str,
    limit: int,
    cursor: str | None,
) -> Page:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit {limit} is out of range: ask for 1 to {MAX_LIMIT} rows")
    descending = sort.startswith("-")
    after = _decode(cursor, sort) if cursor else None
    rows: list[Any] = []
    if after is None or not after["empty"]:
        query = base.where(column.is_not(None))
        if after is not None:
            query = query.where(
                _beyond(column, key, _value(column, after["value"]), after["id"], descending)
            )
        rows = _fetch(db, query, (column, key), descending, limit + 1)
        if len(rows) > limit:
            return Page(
                rows[:limit],
                _encode(sort, getattr(rows[limit - 1], column.name), rows[limit - 1], key),
            )
    query = base.where(column.is_(None))
    if after is not None and after["empty"]:
        query = query.where(key < after["id"] if descending else key > after["id"])
    tail = _fetch(db, query, (key,), descending, limit - len(rows) + 1)
    rows += tail
    if len(rows) > limit:
        return Page(rows[:limit], _encode(sort, None, rows[limit - 1], key))
    return Page(rows, None)


def _fetch(
    db: Connection, query: Select[Any], order: tuple[Column[Any], ...], descending: bool, n: int
) -> list[Any]:
    ordered = [col.desc() if descending else col.asc() for col in order]
    return list(db.execute(query.order_by(*ordered).limit(n)))


def _beyond(
    column: Column[Any], key: Column[Any], value: Any, last: Any, descending: bool
) -> ColumnElement[bool]:
    if column is key:
        beyond: ColumnElement[bool] = column < value if descending else column > value
        return beyond
    if descending:
        return and_(column <= value, or_(column < value, key < last))
    return and_(column >= value, or_(column > value, key > last))


def _encode(sort: str, value: Any, row: Any, key: Column[Any]) -> str:
    shown = value.isoformat() if isinstance(value, datetime) else value
    document = {"s": sort, "v": shown, "id": getattr(row, key.name), "e": value is None}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSOR = "the cursor is not one this list gave out: start again without a cursor"


def _decode(cursor: str, sort: str) -> dict[str, Any]:
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        decoded = {"value": document["v"], "id": document["id"], "empty": document["e"] is True}
        same_sort = document["s"] == sort
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInput(BAD_CURSOR) from None
    if not same_sort or not isinstance(decoded["id"], str | int):
        raise InvalidInput(BAD_CURSOR)
    return decoded


def _value(column: Column[Any], value: Any) -> Any:
    if not isinstance(column.type, orm.UTCDateTime):
        if not isinstance(value, str | int):
            raise InvalidInput(BAD_CURSOR)
        return value
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput(BAD_CURSOR) from None
    if moment.tzinfo is None:
        raise InvalidInput(BAD_CURSOR)
    return moment

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
    "actions",
    "issuer_agency_id",
    "addressee_agency_id",
    "issued_at",
    "version",
)


def instruments(db: Connection, query: InstrumentQuery) -> Page:
    """A page of the agency's inbox or outbox, as summaries (the columns of
    ``INSTRUMENT_SUMMARY`` with ``status`` and ``due_at``).

    The outbox reads the status and due date as the issuer may see them (the disclosure
    policy's read model, ``issuer_status`` and ``issuer_due_at``), and filters and sorts on
    them too: a request's due date that runs from a release the issuer was not told of is no
    filter, no sort key and no value here. The inbox is the addressee's own."""
    t = orm.instruments
    if query.box == "received":
        own, other, status, due = (
            t.c.addressee_agency_id, t.c.issuer_agency_id, t.c.status, t.c.due_at,
        )  # fmt: skip
    else:
        own, other, status, due = (
            t.c.issuer_agency_id, t.c.addressee_agency_id, t.c.issuer_status, t.c.issuer_due_at,
        )  # fmt: skip
    shown = (
        *(t.c[name] for name in INSTRUMENT_SUMMARY),
        status.label("status"),
        due.label("due_at"),
    )
    base = select(*shown).where(
        own == query.agency_id,
        *instrument_filters(
            status,
            due,
            other,
            status_in=query.status,
            kind=query.kind,
            due_before=query.due_before,
            counterparty=query.counterparty,
        ),
    )
    by_due = query.sort.lstrip("-") == "due_at"
    column, shown_as = (due, "due_at") if by_due else (t.c.issued_at, "issued_at")
    return _keyset(db, base, column, t.c.id, query.sort, query.limit, query.cursor, shown_as)


def instrument_filters(
    status: Any,
    due: Any,
    other: Any,
    *,
    status_in: tuple[str, ...] = (),
    kind: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    counterparty: str | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions of an instrument list's filters, on the columns the list reads for the
    status, the due date and the agency on the other side: the API's lists and the web's
    (``queries.desk_lists``) pass the columns the disclosure policy lets their reader see, so
    a withheld due date is no filter here either (a row whose due date the reader may not see
    matches no due-date filter)."""
    found: list[ColumnElement[bool]] = []
    if status_in:
        found.append(status.in_(status_in))
    if kind:
        found.append(orm.instruments.c.kind == kind)
    if due_before is not None:
        found.append(due < due_before)
    if due_after is not None:
        found.append(due >= due_after)
    if counterparty:
        found.append(other == counterparty)
    return found


@dataclass(frozen=True)
class CaseQuery:
    agency_id: str
    status: str | None = None
    counterparty: str | None = None
    limit: int = 50
    cursor: str | None = None


def cases(db: Connection, query: CaseQuery) -> Page:
    """Cases the agency takes part in, newest first, each with its status as the agency may
    see it (the disclosure policy's read model, ``case_parties``)."""
    c, cp = orm.cases, orm.case_parties
    base = (
        select(
            cp.c.case_id.label("id"),
            c.c.requesting_agency_id,
            c.c.custodial_agency_id,
            c.c.person_id,
            c.c.subject,
            cp.c.status,
            cp.c.opened_at,
        )
        .join(c, c.c.id == cp.c.case_id)
        .where(cp.c.agency_id == query.agency_id)
    )
    if query.status:
        base = base.where(cp.c.status == query.status)
    if query.counterparty:
        base = base.where(
            or_(
                c.c.requesting_agency_id == query.counterparty,
                c.c.custodial_agency_id == query.counterparty,
            )
        )
    return _keyset(
        db, base, cp.c.opened_at, cp.c.case_id, "-opened_at", query.limit, query.cursor, key_as="id"
    )


def users(db: Connection, agency_id: str, limit: int = 50, cursor: str | None = None) -> Page:
    u = orm.users
    # A removed account is beyond administration: the account review lists it.
    base = select(u).where(u.c.agency_id == agency_id, u.c.removed_at.is_(None))
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
    column_as: str | None = None,
    key_as: str | None = None,
) -> Page:
    """A keyset page; ``column_as`` and ``key_as`` name the sort column and key in the rows
    when the query labels them otherwise."""
    column_name, key_name = column_as or column.name, key_as or key.name
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
                _encode(sort, getattr(rows[limit - 1], column_name), rows[limit - 1], key_name),
            )
    query = base.where(column.is_(None))
    if after is not None and after["empty"]:
        query = query.where(key < after["id"] if descending else key > after["id"])
    tail = _fetch(db, query, (key,), descending, limit - len(rows) + 1)
    rows += tail
    if len(rows) > limit:
        return Page(rows[:limit], _encode(sort, None, rows[limit - 1], key_name))
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


def _encode(sort: str, value: Any, row: Any, key_name: str) -> str:
    shown = value.isoformat() if isinstance(value, datetime) else value
    document = {"s": sort, "v": shown, "id": getattr(row, key_name), "e": value is None}
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

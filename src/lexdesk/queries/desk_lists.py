"""The read side of the home pages: each party's lists of instruments, filtered, searched,
sorted and paged in SQL; each tab's count; the same rows, page after page, for an export.

A list is read a keyset page at a time (``instruments_page``): the cursor names the row a page
ends at, and each part of the list's order is an index walked from there, so the thousandth
page costs what the first does, and nothing counts or skips every row before it (a sort by
kind or status walks each value's rows in turn; no list is sorted by person, whose name is
sealed at rest). Counts stop at ``COUNT_CAP``
("1,000+"). "My work" and "Unassigned" read each side of the desk, and each way a row comes into
play, as a branch of its own (``_sides``), merged in order.

What a row shows follows the disclosure policy (``domain.visibility``), through its read
model: the custodial agency that holds the person sees its own clocks, the person's name and
expected release, and the people due for release within 48 hours flagged, and listed above
the first page of its default order; every other agency sees each instrument's status and
due date as its issuer may (``issuer_status``, ``issuer_due_at``) and the person as the
requester named them (``cases.subject``), both sealed at rest and opened a page at a time;
a name is searched through the blind index of each agency's own words for it
(``adapters.person_records``). Searching and sorting read only what the row may show; so do
the filters (status, kind, due dates, the agency on the other side, who of the agency works
it: ``Filters``), the cursors (which
name a row by its id alone and read its keys afresh, never from the address) and the mark of
how near a due date is (``domain.work.urgency``), which reads the due date the row shows. Who
works an instrument is the agency's own assignment of it, or else of its case
(``services.work``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    not_,
    null,
    or_,
    select,
    tuple_,
    union_all,
)

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import opened_name, search_digests, shown_name, words
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.lifecycle import TRANSITIONS
from lexdesk.domain.vocabulary import OPEN_STATUSES, AgencyKind, InstrumentKind, InstrumentStatus
from lexdesk.domain.work import Urgency, WorkObject, urgency
from lexdesk.queries.api_lists import instrument_filters

PAGE_SIZE = 20
#: A list or a tab counts its rows up to this many, then says "1,000+".
COUNT_CAP = 1_000
#: The most releases within 48 hours listed above a list; the list below holds them all.
URGENT_MAX = 20
#: An export reads the list this many rows at a time.
EXPORT_PAGE = 500
#: The most rows an export holds; a list longer than this is narrowed by its filters first.
EXPORT_MAX = 10_000
URGENT_WITHIN = timedelta(hours=48)
OPEN = [s.value for s in OPEN_STATUSES]
ANSWERED = ["complied", "partially_complied", "declined", "contested"]
ESCALABLE = sorted(
    {
        (r.source.value, k.value)
        for r in TRANSITIONS
        if r.name == "escalate" and r.party.value == "issuer"
        for k in r.kinds
    }
)

i, c, p, u = orm.instruments, orm.cases, orm.persons, orm.users
#: The agency's own assignment of the instrument, and of its case (which covers its
#: instruments that have none of their own).
on_instrument, on_case = orm.assignments.alias("on_instrument"), orm.assignments.alias("on_case")
assignee_of = func.coalesce(on_instrument.c.assignee_id, on_case.c.assignee_id)


@dataclass(frozen=True)
class View:
    key: str
    label: str
    #: "addressee" or "issuer": which side of the instrument the agency is on; "any": both.
    mine: str
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    escalable: bool = False
    #: Only what is still in play: open, or answered and ready for the agency to escalate.
    in_play: bool = False
    #: "me": what the viewer works; "none": what no one of the agency works.
    assignee: str = ""


MY_WORK = View("mine", "My work", "any", in_play=True, assignee="me")
UNASSIGNED = View("unassigned", "Unassigned", "any", in_play=True, assignee="none")


K = InstrumentKind
VIEWS: dict[AgencyKind, tuple[View, ...]] = {
    AgencyKind.CUSTODIAL: (
        View("inbox", "Inbox", "addressee", tuple(OPEN)),
        View("answered", "Answered", "addressee", tuple(ANSWERED)),
        View("all", "All received", "addressee"),
        MY_WORK,
        UNASSIGNED,
    ),
    AgencyKind.IMMIGRATION: (
        View("outstanding", "Outstanding", "issuer", tuple(OPEN)),
        View("answers", "Answers", "issuer", tuple(ANSWERED)),
        View("escalate", "Ready to escalate", "issuer", escalable=True),
        View("all", "All issued", "issuer"),
        MY_WORK,
        UNASSIGNED,
    ),
    AgencyKind.PROSECUTOR: (
        View("referrals", "Referrals", "addressee", kinds=(K.REFERRAL.value,)),
        View("petitions", "Petitions filed", "issuer", kinds=(K.ENFORCEMENT_PETITION.value,)),
        MY_WORK,
        UNASSIGNED,
    ),
    AgencyKind.COURT: (
        View("petitions", "Petitions", "addressee", kinds=(K.ENFORCEMENT_PETITION.value,)),
        View("orders", "Orders", "issuer", kinds=(K.COURT_ORDER.value,)),
        MY_WORK,
        UNASSIGNED,
    ),
}
#: The sort orders a list offers; a column header toggles between a key and its ``-`` reverse.
SORTS = {
    "urgency": "Needs action first",
    "due": "Due, soonest first",
    "-due": "Due, latest first",
    "kind": "Kind",
    "status": "Status",
    "newest": "Newest",
    "oldest": "Oldest",
}
STATUSES = tuple(s.value for s in InstrumentStatus if s.value not in ("draft", "discarded"))
#: Every status a row may hold: a sort by status reads each, so that no row is left out.
EVERY_STATUS = tuple(s.value for s in InstrumentStatus)
KINDS = tuple(k.value for k in InstrumentKind)


@dataclass(frozen=True)
class Filters:
    """A list's filters, as the page's query string carries them: no personal identifier
    among them (the free-text search, which may name a person, is not one of them)."""

    status: str = ""
    kind: str = ""
    #: Due on or after / on or before these days, on the agency's calendar.
    due_from: date | None = None
    due_to: date | None = None
    #: The agency on the other side of the instrument.
    other: str = ""
    #: "me", "none" or a colleague's user id.
    assignee: str = ""

    @property
    def active(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class Row:
    id: str
    case_id: str
    kind: str
    status: str
    issuer: str
    addressee: str
    person: str
    reference: str
    issued_at: datetime | None
    due_at: datetime | None
    release_at: datetime | None
    urgent: bool
    #: How near the due date shown is (``domain.work.urgency``), on the viewer's calendar.
    urgency: Urgency | None = None
    #: Who of the viewer's agency works it (its own assignment, or its case's).
    assignee: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows; the cursors of the pages before and after it (None at
    either end); how many rows the list holds, counted up to ``COUNT_CAP``; and, on the first
    page of the custodian's list in its default order, the releases due within 48 hours."""

    rows: list[Row]
    total: int
    #: More rows than ``COUNT_CAP``: the total is shown as "1,000+".
    more: bool = False
    previous: str | None = None
    next: str | None = None
    urgent: list[Row] = field(default_factory=list)

    @property
    def shown_total(self) -> str:
        return f"{COUNT_CAP:,}+" if self.more else f"{self.total:,}"


def view_for(kind: AgencyKind, key: str) -> View:
    views = VIEWS[kind]
    return next((v for v in views if v.key == key), views[0])


@dataclass(frozen=True)
class _Columns:
    """The columns a list may read, as the policy lets its agency see them. The person is
    sealed at rest: ``person`` is the sealed value, ``sealed_with`` the id it opens with."""

    status: Any
    due: Any
    person: Any
    sealed_with: Any
    release: Any
    urgent: Any
    joins_person: bool


def _columns(holder: bool, now: datetime) -> _Columns:
    if not holder:
        shown = (i.c.issuer_status, i.c.issuer_due_at, c.c.subject, c.c.id)
        return _Columns(*shown, null(), false(), False)
    release = _release_of(c.c.person_id)
    urgent = and_(i.c.status.in_(OPEN), release >= now, release <= now + URGENT_WITHIN)
    return _Columns(i.c.status, i.c.due_at, p.c.name, c.c.person_id, release, urgent, True)


def _release_of(person: Any) -> Any:
    """The person's expected release, the earliest of their custodies still running: looked up
    for each row a page shows, never for every person in custody."""
    t = orm.custodies
    return (
        select(func.min(t.c.expected_release_at))
        .where(t.c.person_id == person, t.c.status == "in_custody")
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Reader:
    """Who reads a list: the agency, its kind, the user (for "my work") and its calendar."""

    agency_id: str
    agency_kind: AgencyKind
    user_id: str
    now: datetime
    tz: ZoneInfo
    #: Opens the names a page shows (sealed at rest).
    sealer: Sealer


def instruments_page(
    db: Connection,
    reader: Reader,
    view: View,
    *,
    q: str = "",
    sort: str = "urgency",
    cursor: str = "",
    filters: Filters = Filters(),
    size: int | None = None,
) -> Page:
    """One page of a list, after (or before) the row its cursor names; the first without one.
    The custodial agency holds the people of the instruments addressed to it; every other list
    is read as the issuer may see it.

    A keyset page: each part of the order (``_parts``) is read by walking an index from the
    cursor, so a page costs the same deep in a list as at its top, and no page counts or skips
    every row before it. The releases within 48 hours come on the first page of the
    custodian's default order as a list of their own, one small query over the people due for
    release, and keep their place in the list below."""
    rows, previous, following, first_page = _keyset_page(
        db, reader, view, q, filters, sort, cursor, size or PAGE_SIZE
    )
    if first_page and following is None:
        total = len(rows)  # the whole list is this page: nothing more to count
    else:
        total = _capped(db, _query(reader, view, q, filters, bare=True)[0])
    branches, cols, holder = _query(reader, view, q, filters)
    urgent = (
        _urgent(db, reader, branches, cols) if holder and first_page and sort == "urgency" else []
    )
    return Page(rows, min(total, COUNT_CAP), total > COUNT_CAP, previous, following, urgent)


def instruments_all(
    db: Connection,
    reader: Reader,
    view: View,
    *,
    q: str = "",
    sort: str = "urgency",
    filters: Filters = Filters(),
) -> list[Row]:
    """Every row of the list (up to ``EXPORT_MAX``), in its order: what an export holds is
    exactly what the pages of the list show, read the same way, many rows at a time."""
    rows: list[Row] = []
    cursor: str | None = ""
    while cursor is not None and len(rows) < EXPORT_MAX:
        size = min(EXPORT_PAGE, EXPORT_MAX - len(rows))
        found, _, cursor, _ = _keyset_page(db, reader, view, q, filters, sort, cursor, size)
        rows += found
    return rows


def _keyset_page(
    db: Connection,
    reader: Reader,
    view: View,
    q: str,
    filters: Filters,
    sort: str,
    cursor: str,
    size: int,
) -> tuple[list[Row], str | None, str | None, bool]:
    """A page's rows, the cursors of the pages before and after it, and whether it is the
    first page (no cursor, or none this list gave out).

    The page is found on the instruments alone, ids and keys, where each part of the order is
    one index's walk (the database reads it so, not sorting what a join makes of it); then
    its rows are read whole, by their ids. No order is by person: names are sealed at rest."""
    walked, cols, _ = _query(reader, view, q, filters, bare=True)
    parts = _parts(sort, cols, view, filters)
    at = _decode(db, reader, cols, cursor, sort, parts) if cursor else None
    forward = at is None or at.forward
    found = _walk(db, walked, parts, at, size + 1)
    beyond = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    first, last = (found[0], found[-1]) if found else (None, None)
    if forward:
        previous = _encode(sort, *first, False) if at and first else None
        following = _encode(sort, *last, True) if beyond and last else None
    else:
        previous = _encode(sort, *first, False) if beyond and first else None
        following = _encode(sort, *last, True) if last else None
    rows = _whole(db, reader, cols, [r.id for _, r in found])
    return [_row(r, reader, cols) for r in rows], previous, following, at is None


def _whole(db: Connection, reader: Reader, cols: _Columns, ids: list[str]) -> list[Any]:
    """The rows of these instruments as the list shows them, in the order of ``ids``."""
    if not ids:
        return []
    by_id = {r.id: r for r in db.execute(_shape(reader, cols).where(i.c.id.in_(ids)))}
    return [by_id[instrument_id] for instrument_id in ids]


@dataclass(frozen=True)
class Count:
    """How many rows a tab holds, and how many of them are overdue, each counted up to
    ``COUNT_CAP``: a tab says "1,000+" rather than count a million rows to say so."""

    total: int
    overdue: int
    more: bool = False
    more_overdue: bool = False

    @property
    def shown_total(self) -> str:
        return f"{COUNT_CAP:,}+" if self.more else f"{self.total:,}"

    @property
    def shown_overdue(self) -> str:
        return f"{COUNT_CAP:,}+" if self.more_overdue else f"{self.overdue:,}"


def counts(db: Connection, reader: Reader, filters: Filters = Filters()) -> dict[str, Count]:
    """How many rows each tab of the agency holds under the filters, and how many of them are
    overdue (open, past the due date the row shows)."""
    # Every tab's two figures are asked in one statement, each branch's rows counted up to one
    # more than the cap by a scalar subquery of its own: one round trip for the whole row of
    # tabs rather than one per branch (two dozen for a custodian's six tabs).
    views = VIEWS[reader.agency_kind]
    parts: list[list[Any]] = []
    for view in views:
        branches, cols, _ = _query(reader, view, "", filters, bare=True)
        overdue = _overdue(cols, reader.now)
        parts.append([_capped_count(b) for b in branches])
        parts.append([_capped_count(b.where(overdue)) for b in branches])
    counted = iter(db.execute(select(*[c for part in parts for c in part])).one())
    sums = [sum(next(counted) for _ in part) for part in parts]
    found: dict[str, Count] = {}
    for view, total, overdue in zip(views, sums[::2], sums[1::2], strict=True):
        found[view.key] = Count(
            min(total, COUNT_CAP), min(overdue, COUNT_CAP), total > COUNT_CAP, overdue > COUNT_CAP
        )
    return found


def _capped_count(branch: Any) -> Any:
    """How many rows one branch holds, counted up to one more than ``COUNT_CAP``."""
    inner = branch.limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(inner).scalar_subquery()


def _capped(db: Connection, branches: list[Any]) -> int:
    """How many rows the list holds, each branch counted up to one more than ``COUNT_CAP``, in
    one statement."""
    return sum(db.execute(select(*[_capped_count(b) for b in branches])).one())


def _urgent(db: Connection, reader: Reader, branches: list[Any], cols: _Columns) -> list[Row]:
    """The list's open instruments about people due for release within 48 hours, soonest
    release first, up to ``URGENT_MAX``: found from the agency's few custodies ending in that
    window (an index of its own), not by sorting the whole list on a computed flag. A person's
    custodies are all their custodian's, who alone reads this list."""
    t, held = orm.custodies, c.alias("held")
    ending = (
        select(held.c.id)
        .join(t, t.c.person_id == held.c.person_id)
        .where(
            t.c.agency_id == reader.agency_id,
            t.c.status == "in_custody",
            t.c.expected_release_at >= reader.now,
            t.c.expected_release_at <= reader.now + URGENT_WITHIN,
        )
    )
    rows: list[Any] = []
    for query in branches:
        soon = query.where(i.c.case_id.in_(ending), cols.urgent)
        rows += db.execute(soon.order_by(cols.release, i.c.id).limit(URGENT_MAX))
    rows.sort(key=lambda r: (r.release_at, r.id))
    return [_row(r, reader, cols) for r in rows[:URGENT_MAX]]


def _query(
    reader: Reader, view: View, q: str, filters: Filters, *, bare: bool = False
) -> tuple[list[Any], _Columns, bool]:
    """The list's rows, as one query for each side of the desk it reads: "My work" and
    "Unassigned" read both, each side walking its own index, rather than one ``OR`` that no
    index serves. ``bare``: the instruments' ids alone, joined only to what the conditions
    read (a count needs no person's name)."""
    holder = reader.agency_kind is AgencyKind.CUSTODIAL and view.mine in ("addressee", "any")
    cols = _columns(holder, reader.now)
    view_filters = replace(filters, assignee=view.assignee or filters.assignee)
    conditions = _filters(reader, view, q, cols, view_filters)
    if bare:
        query = select(i.c.id).select_from(i)
        if words(q):
            query = query.join(c, c.c.id == i.c.case_id)
        if view_filters.assignee:
            query = _with_work(query, reader)
        return _sides(query.where(*conditions), reader, view, cols, view_filters), cols, holder
    query = _shape(reader, cols)
    return _sides(query.where(*conditions), reader, view, cols, view_filters), cols, holder


def _shape(reader: Reader, cols: _Columns) -> Any:
    """What a row of the list reads: the instrument, and what the policy lets its reader see."""
    query = (
        select(
            i,
            cols.status.label("shown_status"),
            cols.due.label("shown_due"),
            cols.person.label("person"),
            cols.sealed_with.label("sealed_with"),
            cols.release.label("release_at"),
            cols.urgent.label("urgent"),
            u.c.username.label("assignee"),
        )
        .select_from(i)
        .join(c, c.c.id == i.c.case_id)
    )
    query = _with_work(query, reader)
    if cols.joins_person:
        query = query.join(p, p.c.id == c.c.person_id)
    return query


def _with_work(query: Any, reader: Reader) -> Any:
    """Who of the agency works each row: its own assignment of the instrument, or of its case."""
    return (
        query.outerjoin(
            on_instrument,
            and_(
                on_instrument.c.object_type == WorkObject.INSTRUMENT.value,
                on_instrument.c.object_id == i.c.id,
                on_instrument.c.agency_id == reader.agency_id,
            ),
        )
        .outerjoin(
            on_case,
            and_(
                on_case.c.object_type == WorkObject.CASE.value,
                on_case.c.object_id == i.c.case_id,
                on_case.c.agency_id == reader.agency_id,
            ),
        )
        .outerjoin(u, u.c.id == assignee_of)
    )


def _sides(query: Any, reader: Reader, view: View, cols: _Columns, filters: Filters) -> list[Any]:
    """The list as branches that are each one index's walk, and that no row is in two of: one
    for each side of the desk the view reads; for what is in play, one for what is open and
    one for what the agency may escalate; for what one person works, one for each way it comes
    to them (assigned itself, or through its case), read from that person's few assignments
    rather than through every row in play."""
    me = reader.agency_id
    if view.mine == "addressee":
        choices = [[i.c.addressee_agency_id == me]]
    elif view.mine == "issuer":
        choices = [[i.c.issuer_agency_id == me]]
    else:
        choices = [
            [
                i.c.addressee_agency_id == me,
                and_(i.c.issuer_agency_id == me, i.c.addressee_agency_id != me),
            ]
        ]
    if view.in_play:
        is_open = cols.status.in_(OPEN)
        escalable = and_(i.c.issuer_agency_id == me, _escalable(cols), not_(is_open))
        choices.append([is_open, escalable])
    who = reader.user_id if filters.assignee == "me" else filters.assignee
    if who not in ("", "none"):
        a = orm.assignments

        def assigned(kind: WorkObject) -> Any:
            return select(a.c.object_id).where(
                a.c.object_type == kind.value, a.c.agency_id == me, a.c.assignee_id == who
            )

        itself = i.c.id.in_(assigned(WorkObject.INSTRUMENT))
        by_case = i.c.case_id.in_(assigned(WorkObject.CASE))
        choices.append([itself, and_(on_instrument.c.assignee_id.is_(None), by_case)])
    return [query.where(*chosen) for chosen in product(*choices)]


def _filters(
    reader: Reader, view: View, q: str, cols: _Columns, filters: Filters
) -> list[ColumnElement[bool]]:
    me = reader.agency_id
    found: list[ColumnElement[bool]] = []
    if view.statuses:
        found.append(cols.status.in_(view.statuses))
    if view.kinds:
        # One kind is said as an equality, which an index on the kind walks in its order.
        kind = i.c.kind == view.kinds[0] if len(view.kinds) == 1 else i.c.kind.in_(view.kinds)
        found.append(kind)
    if view.escalable:
        found.append(_escalable(cols))
    # What is in play (open, or answered and ready for the agency to escalate) is a choice of
    # branches, one for each (``_sides``): an ``OR`` here would hide the indexes from both.
    other = case(
        (i.c.addressee_agency_id == me, i.c.issuer_agency_id), else_=i.c.addressee_agency_id
    )
    found += instrument_filters(
        cols.status,
        cols.due,
        other,
        status_in=(filters.status,) if filters.status else (),
        kind=filters.kind or None,
        due_after=_midnight(filters.due_from, reader.tz),
        due_before=_midnight(filters.due_to + timedelta(days=1), reader.tz)
        if filters.due_to
        else None,
        counterparty=filters.other or None,
    )
    if filters.assignee == "me":
        found.append(assignee_of == reader.user_id)
    elif filters.assignee == "none":
        # No assignment of the instrument nor of its case, said so that the database reads it
        # as the anti-join it is (a NULL of a joined key), and walks the list's index.
        found.append(and_(on_instrument.c.object_id.is_(None), on_case.c.object_id.is_(None)))
    elif filters.assignee:
        found.append(assignee_of == filters.assignee)
    if words(q):
        like = f"%{q.strip().lower()}%"
        found.append(
            or_(
                _named(reader, cols, q),
                func.lower(i.c.id).like(like),
                func.lower(i.c.reference).like(like),
                func.lower(i.c.case_id).like(like),
            )
        )
    return found


def _named(reader: Reader, cols: _Columns, q: str) -> ColumnElement[bool]:
    """The rows whose person the search names, through the blind index: each word searched
    is a word of the name, or the beginning of one (``adapters.person_records``). The holder
    searches its record of the person; any other agency the subject it gave the case."""
    found: list[ColumnElement[bool]] = []
    for word in dict.fromkeys(words(q)):
        digests = search_digests(word, reader.sealer)
        if cols.joins_person:
            t = orm.person_terms
            named = select(t.c.person_id).where(
                t.c.owner_agency_id == reader.agency_id, t.c.term.in_(digests)
            )
            found.append(c.c.person_id.in_(named))
        else:
            k = orm.case_terms
            named = select(k.c.case_id).where(
                k.c.agency_id == reader.agency_id, k.c.term.in_(digests)
            )
            found.append(c.c.id.in_(named))
    return and_(*found)


def _escalable(cols: _Columns) -> ColumnElement[bool]:
    return or_(*(and_(cols.status == s, i.c.kind == k) for s, k in ESCALABLE))


def _midnight(day: date | None, tz: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=tz) if day else None


def _overdue(cols: _Columns, now: datetime) -> ColumnElement[bool]:
    return and_(cols.status.in_(OPEN), cols.due.is_not(None), cols.due < now)


@dataclass(frozen=True)
class _Key:
    """One key of a list's order; an empty value (a row with no due date) comes after every
    other, in both directions and on both databases."""

    column: Any
    ascending: bool = True
    nullable: bool = False


@dataclass(frozen=True)
class _Part:
    """A run of a list's order that one index walks: the rows it holds and their keys, the
    instrument's id last, so that the keys of a row name it alone."""

    where: Any
    keys: tuple[_Key, ...]
    #: False when the view or its filters leave this part empty: it is not read at all.
    possible: bool = True


def _parts(sort: str, cols: _Columns, view: View, filters: Filters) -> list[_Part]:
    """The list's order, part by part. "Needs action first" is what is open with a due date,
    soonest due first (what is overdue comes first of all: its due date is the earliest),
    then the rest, newest first; every key is a date the row shows."""
    due, issued, key = cols.due, i.c.issued_at, i.c.id
    up, down = _Key(key), _Key(key, ascending=False)
    dated, undated = due.is_not(None), due.is_(None)
    if sort == "kind":
        return _by_value(i.c.kind, KINDS, _kinds(view, filters), due, up)
    if sort == "status":
        return _by_value(cols.status, EVERY_STATUS, _statuses(view, filters), due, up)
    parts = {
        "due": [_Part(dated, (_Key(due), up)), _Part(undated, (up,))],
        # Rows with no due date shown keep the order of their ids in both directions: their
        # order says nothing of a date withheld from the reader.
        "-due": [_Part(dated, (_Key(due, False), up)), _Part(undated, (up,))],
        "newest": [
            _Part(issued.is_not(None), (_Key(issued, False), down)),
            _Part(issued.is_(None), (down,)),
        ],
        "oldest": [_Part(issued.is_(None), (up,)), _Part(issued.is_not(None), (_Key(issued), up))],
    }
    if sort in parts:
        return parts[sort]
    pending = and_(cols.status.in_(OPEN), dated)
    statuses = set(view.statuses or OPEN) & ({filters.status} if filters.status else set(OPEN))
    return [
        _Part(pending, (_Key(due), up), possible=bool(statuses & set(OPEN))),
        _Part(and_(not_(pending), issued.is_not(None)), (_Key(issued, False), down)),
        _Part(and_(not_(pending), issued.is_(None)), (down,)),
    ]


def _by_value(
    column: Any, every: tuple[str, ...], wanted: set[str], due: Any, up: _Key
) -> list[_Part]:
    """A sort by a column of a few values (kind, status) as runs an index walks: each value in
    its order, its rows with a due date soonest first, then those without one. A value the view
    or its filters leave out is not read at all."""
    return [
        part
        for value in sorted(every)
        for part in (
            _Part(and_(column == value, due.is_not(None)), (_Key(due), up), value in wanted),
            _Part(and_(column == value, due.is_(None)), (up,), value in wanted),
        )
    ]


def _kinds(view: View, filters: Filters) -> set[str]:
    wanted = set(view.kinds or KINDS)
    return wanted & {filters.kind} if filters.kind else wanted


def _statuses(view: View, filters: Filters) -> set[str]:
    wanted = set(view.statuses or EVERY_STATUS)
    return wanted & {filters.status} if filters.status else wanted


@dataclass(frozen=True)
class _At:
    """Where a cursor points: a row's part and keys, and which way the page runs from it."""

    part: int
    values: tuple[Any, ...]
    forward: bool


def _walk(
    db: Connection, branches: list[Any], parts: list[_Part], at: _At | None, n: int
) -> list[tuple[int, Any]]:
    """Up to ``n`` rows from the cursor on (or back from it), part after part, each row with
    the part it came from."""
    forward = at is None or at.forward
    order = list(range(len(parts))) if forward else list(reversed(range(len(parts))))
    if at is not None:
        order = order[order.index(at.part) :]
    found: list[tuple[int, Any]] = []
    for index in order:
        if not parts[index].possible:
            continue
        values = at.values if at is not None and index == at.part else None
        rows = _fetch(db, branches, parts[index], values, forward, n - len(found))
        found += [(index, row) for row in rows]
        if len(found) >= n:
            break
    return found


def _fetch(
    db: Connection,
    branches: list[Any],
    part: _Part,
    values: tuple[Any, ...] | None,
    forward: bool,
    n: int,
) -> list[Any]:
    keys = part.keys
    queries = _walks(branches, part, values, forward, n)
    if len(queries) == 1:
        return list(db.execute(queries[0]))
    # Each side walks its own index; their first rows are merged in the order of the list.
    merged = union_all(*(select(query.subquery()) for query in queries)).subquery()
    columns = [merged.c[f"k{place}"] for place in range(len(keys))]
    return list(db.execute(select(merged).order_by(*_ordering(keys, columns, forward)).limit(n)))


def _walks(
    branches: list[Any], part: _Part, values: tuple[Any, ...] | None, forward: bool, n: int
) -> list[Any]:
    """The part's first ``n`` rows from the cursor's keys (``values``) on each branch: each
    query one index's walk, in the index's order, that stops after ``n`` rows."""
    keys = part.keys
    queries = []
    for query in branches:
        query = query.add_columns(*(k.column.label(f"k{place}") for place, k in enumerate(keys)))
        if part.where is not None:
            query = query.where(part.where)
        if values is not None:
            query = query.where(*_beyond(keys, values, forward))
        columns = [k.column for k in keys]
        queries.append(query.order_by(*_ordering(keys, columns, forward)).limit(n))
    return queries


def _ordering(keys: tuple[_Key, ...], columns: list[Any], forward: bool) -> list[Any]:
    ordered: list[Any] = []
    for key, column in zip(keys, columns, strict=True):
        empty = column.is_(None)
        if key.nullable:
            ordered.append(empty if forward else empty.desc())
        ordered.append(column.asc() if key.ascending == forward else column.desc())
    return ordered


def _beyond(
    keys: tuple[_Key, ...], values: tuple[Any, ...], forward: bool
) -> list[ColumnElement[bool]]:
    """The rows after the cursor's (before it, going back), in the list's order: the first
    key bounds the index walk, the rest break its ties."""
    directions = {key.ascending for key in keys}
    if len(directions) == 1 and None not in values and not any(k.nullable for k in keys):
        # One direction and no empty value: a row comparison, which an index on the keys
        # serves as the bound of its walk on both databases.
        row, start = tuple_(*(k.column for k in keys)), tuple_(*values)
        return [row > start if directions == {forward} else row < start]
    either: list[ColumnElement[bool]] = []
    same: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values, strict=True):
        column = key.column
        if value is None:
            equal: ColumnElement[bool] = column.is_(None)
            # An empty value comes last: nothing comes after it on this key, every value before.
            past: ColumnElement[bool] = false() if forward else column.is_not(None)
        else:
            equal = column == value
            later = column > value if key.ascending else column < value
            earlier = column < value if key.ascending else column > value
            after = or_(later, column.is_(None)) if key.nullable else later
            past = after if forward else earlier
        either.append(and_(*same, past))
        same.append(equal)
    bound = []
    first, start = keys[0], values[0]
    if not first.nullable and start is not None:
        later_or_same = first.ascending == forward
        bound.append(first.column >= start if later_or_same else first.column <= start)
    return [*bound, or_(*either)]


def _encode(sort: str, index: int, row: Any, forward: bool) -> str:
    """A cursor names the row a page starts or ends at by its instrument's id alone, never its
    keys: a key (a due date, a status) is what the reader may see now, read afresh."""
    document = {"s": sort, "p": index, "id": row.id, "f": forward}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(
    db: Connection, reader: Reader, cols: _Columns, cursor: str, sort: str, parts: list[_Part]
) -> _At | None:
    """Where the cursor points, its row's keys read afresh; None (the first page) for a cursor
    this list did not give out, or one whose row the agency does not take part in."""
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        index, instrument_id, forward = document["p"], document["id"], document["f"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if document.get("s") != sort or not isinstance(index, int) or not 0 <= index < len(parts):
        return None
    if not isinstance(instrument_id, str) or not isinstance(forward, bool):
        return None
    keys = parts[index].keys
    me = reader.agency_id
    query = (
        select(*(k.column for k in keys))
        .select_from(i)
        .join(c, c.c.id == i.c.case_id)
        .where(i.c.id == instrument_id)
        .where(or_(i.c.addressee_agency_id == me, i.c.issuer_agency_id == me))
    )
    found = db.execute(query).first()
    return _At(index, tuple(found), forward) if found is not None else None


def _row(r: Any, reader: Reader, cols: _Columns) -> Row:
    return Row(
        id=r.id,
        case_id=r.case_id,
        kind=r.kind,
        status=r.shown_status,
        issuer=r.issuer_agency_id,
        addressee=r.addressee_agency_id,
        person=_shown_person(r, reader, cols.joins_person),
        reference=r.reference,
        issued_at=r.issued_at,
        due_at=r.shown_due,
        release_at=r.release_at,
        urgent=bool(r.urgent),
        urgency=urgency(r.shown_due, r.shown_status in OPEN, reader.now, reader.tz),
        assignee=r.assignee,
    )


def _shown_person(r: Any, reader: Reader, holder: bool) -> str:
    """The person as the row's reader may name them, opened from its sealed value: the holder's
    record (``RIVERA, Ana``), else the subject the requester gave the case."""
    if holder:
        return shown_name(*opened_name(r.person, r.sealed_with, reader.sealer))
    return reader.sealer.open(r.person, r.sealed_with)

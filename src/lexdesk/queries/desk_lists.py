"""The read side of the home pages: each party's lists of instruments, filtered, searched,
sorted and paged in SQL; each tab's count; the same rows, unpaged, for an export.

What a row shows follows the disclosure policy (``domain.visibility``), through its read
model: the custodial agency that holds the person sees its own clocks, the person's name and
expected release, and the people due for release within 48 hours flagged first; every other
agency sees each instrument's status and due date as its issuer may (``issuer_status``,
``issuer_due_at``) and the person as the requester named them (``cases.subject``). Searching
and sorting read only what the row may show; so do the filters (status, kind, due dates,
the agency on the other side, who of the agency works it: ``Filters``) and the mark of how
near a due date is (``domain.work.urgency``), which reads the due date the row shows. Who works
an instrument is the agency's own assignment of it, or else of its case (``services.work``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
)

from lexdesk.adapters import orm
from lexdesk.domain.lifecycle import TRANSITIONS
from lexdesk.domain.vocabulary import OPEN_STATUSES, AgencyKind, InstrumentKind, InstrumentStatus
from lexdesk.domain.work import Urgency, WorkObject, urgency
from lexdesk.queries.api_lists import instrument_filters

PAGE_SIZE = 20
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
    "person": "Person, A to Z",
    "-person": "Person, Z to A",
    "kind": "Kind",
    "status": "Status",
    "newest": "Newest",
    "oldest": "Oldest",
}
STATUSES = tuple(s.value for s in InstrumentStatus if s.value not in ("draft", "discarded"))
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
    rows: list[Row]
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def view_for(kind: AgencyKind, key: str) -> View:
    views = VIEWS[kind]
    return next((v for v in views if v.key == key), views[0])


@dataclass(frozen=True)
class _Columns:
    """The columns a list may read, as the policy lets its agency see them."""

    status: Any
    due: Any
    person: Any
    release: Any
    urgent: Any
    joins_person: bool


def _columns(holder: bool, now: datetime) -> _Columns:
    if not holder:
        return _Columns(i.c.issuer_status, i.c.issuer_due_at, c.c.subject, null(), false(), False)
    release = _release_dates()
    urgent = and_(
        i.c.status.in_(OPEN),
        release.c.release_at >= now,
        release.c.release_at <= now + URGENT_WITHIN,
    )
    name = func.upper(p.c.family_name) + literal(", ") + p.c.given_name
    return _Columns(i.c.status, i.c.due_at, name, release.c.release_at, urgent, True)


@dataclass(frozen=True)
class Reader:
    """Who reads a list: the agency, its kind, the user (for "my work") and its calendar."""

    agency_id: str
    agency_kind: AgencyKind
    user_id: str
    now: datetime
    tz: ZoneInfo


def instruments_page(
    db: Connection,
    reader: Reader,
    view: View,
    *,
    q: str = "",
    sort: str = "urgency",
    number: int = 1,
    filters: Filters = Filters(),
) -> Page:
    """One page of a list. The custodial agency holds the people of the instruments addressed
    to it; every other list is read as the issuer may see it."""
    query, cols, holder = _query(reader, view, q, filters)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = min(max(1, number), max(1, -(-total // PAGE_SIZE)))
    ordered = query.order_by(*_order(sort, cols, holder, reader.now))
    ordered = ordered.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    return Page([_row(r, reader) for r in db.execute(ordered)], total, number)


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
    exactly what the pages of the list show."""
    query, cols, holder = _query(reader, view, q, filters)
    ordered = query.order_by(*_order(sort, cols, holder, reader.now)).limit(EXPORT_MAX)
    return [_row(r, reader) for r in db.execute(ordered)]


@dataclass(frozen=True)
class Count:
    total: int
    overdue: int


def counts(db: Connection, reader: Reader, filters: Filters = Filters()) -> dict[str, Count]:
    """How many rows each tab of the agency holds under the filters, and how many of them are
    overdue (open, past the due date the row shows)."""
    found: dict[str, Count] = {}
    for view in VIEWS[reader.agency_kind]:
        query, cols, _ = _query(reader, view, "", filters)
        inner = query.add_columns(
            case((_overdue(cols, reader.now), 1), else_=0).label("is_overdue")
        ).subquery()
        total, overdue = db.execute(
            select(func.count(), func.coalesce(func.sum(inner.c.is_overdue), 0))
        ).one()
        found[view.key] = Count(int(total or 0), int(overdue or 0))
    return found


def _query(reader: Reader, view: View, q: str, filters: Filters) -> tuple[Any, _Columns, bool]:
    holder = reader.agency_kind is AgencyKind.CUSTODIAL and view.mine in ("addressee", "any")
    cols = _columns(holder, reader.now)
    query = (
        select(
            i,
            cols.status.label("shown_status"),
            cols.due.label("shown_due"),
            cols.person.label("person"),
            cols.release.label("release_at"),
            cols.urgent.label("urgent"),
            u.c.username.label("assignee"),
        )
        .join(c, c.c.id == i.c.case_id)
        .outerjoin(
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
    if cols.joins_person:
        release = cols.release.table
        query = query.join(p, p.c.id == c.c.person_id).outerjoin(
            release, release.c.person_id == p.c.id
        )
    view_filters = replace(filters, assignee=view.assignee or filters.assignee)
    query = query.where(*_filters(reader, view, q, cols, view_filters))
    return query, cols, holder


def _release_dates() -> Any:
    t = orm.custodies
    return (
        select(t.c.person_id, func.min(t.c.expected_release_at).label("release_at"))
        .where(t.c.status == "in_custody")
        .group_by(t.c.person_id)
        .subquery()
    )


def _filters(
    reader: Reader, view: View, q: str, cols: _Columns, filters: Filters
) -> list[ColumnElement[bool]]:
    me = reader.agency_id
    if view.mine == "any":
        side: ColumnElement[bool] = or_(i.c.addressee_agency_id == me, i.c.issuer_agency_id == me)
    else:
        column = i.c.addressee_agency_id if view.mine == "addressee" else i.c.issuer_agency_id
        side = column == me
    found: list[ColumnElement[bool]] = [side]
    if view.statuses:
        found.append(cols.status.in_(view.statuses))
    if view.kinds:
        found.append(i.c.kind.in_(view.kinds))
    escalable = or_(*(and_(cols.status == s, i.c.kind == k) for s, k in ESCALABLE))
    if view.escalable:
        found.append(escalable)
    if view.in_play:
        found.append(or_(cols.status.in_(OPEN), and_(i.c.issuer_agency_id == me, escalable)))
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
        found.append(assignee_of.is_(None))
    elif filters.assignee:
        found.append(assignee_of == filters.assignee)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        found.append(
            or_(
                func.lower(cols.person).like(like),
                func.lower(i.c.id).like(like),
                func.lower(i.c.reference).like(like),
                func.lower(i.c.case_id).like(like),
            )
        )
    return found


def _midnight(day: date | None, tz: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=tz) if day else None


def _overdue(cols: _Columns, now: datetime) -> ColumnElement[bool]:
    return and_(cols.status.in_(OPEN), cols.due.is_not(None), cols.due < now)


def _order(sort: str, cols: _Columns, holder: bool, now: datetime) -> list[Any]:
    due_last = [cols.due.is_(None), cols.due]
    by = {
        "due": [*due_last, i.c.id],
        "-due": [cols.due.is_(None), cols.due.desc(), i.c.id],
        "person": [cols.person, i.c.id],
        "-person": [cols.person.desc(), i.c.id],
        "kind": [i.c.kind, *due_last, i.c.id],
        "status": [cols.status, *due_last, i.c.id],
        "newest": [i.c.issued_at.desc(), i.c.id],
        "oldest": [i.c.issued_at, i.c.id],
    }
    if sort in by:
        return by[sort]
    # What needs action first: what is overdue; for the holder, releases within 48 hours; what
    # is open, soonest due; then the rest, newest first. Every key is a date the row shows.
    is_open = cols.status.in_(OPEN)
    overdue = case((_overdue(cols, now), 0), else_=1)
    urgent = [cols.urgent.desc()] if holder else []
    pending = case((and_(is_open, cols.due.is_not(None)), 0), else_=1)
    soonest = case((and_(is_open, cols.due.is_not(None)), cols.due), else_=null())
    return [overdue, *urgent, pending, soonest, i.c.issued_at.desc(), i.c.id]


def _row(r: Any, reader: Reader) -> Row:
    return Row(
        id=r.id,
        case_id=r.case_id,
        kind=r.kind,
        status=r.shown_status,
        issuer=r.issuer_agency_id,
        addressee=r.addressee_agency_id,
        person=r.person,
        reference=r.reference,
        issued_at=r.issued_at,
        due_at=r.shown_due,
        release_at=r.release_at,
        urgent=bool(r.urgent),
        urgency=urgency(r.shown_due, r.shown_status in OPEN, reader.now, reader.tz),
        assignee=r.assignee,
    )

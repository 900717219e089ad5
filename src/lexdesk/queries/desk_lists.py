"""The read side of the home pages: each party's lists of instruments, filtered, searched,
sorted and paged in SQL.

What a row shows follows the disclosure policy (``domain.visibility``), through its read
model: the custodial agency that holds the person sees its own clocks, the person's name and
expected release, and the people due for release within 48 hours flagged first; every other
agency sees each instrument's status and due date as its issuer may (``issuer_status``,
``issuer_due_at``) and the person as the requester named them (``cases.subject``). Searching
and sorting read only what the row may show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, literal, null, or_, select

from lexdesk.adapters import orm
from lexdesk.domain.lifecycle import TRANSITIONS
from lexdesk.domain.vocabulary import OPEN_STATUSES, AgencyKind, InstrumentKind

PAGE_SIZE = 20
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

i, c, p = orm.instruments, orm.cases, orm.persons


@dataclass(frozen=True)
class View:
    key: str
    label: str
    mine: str  # "addressee" or "issuer": which side of the instrument the agency is on
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    escalable: bool = False


K = InstrumentKind
VIEWS: dict[AgencyKind, tuple[View, ...]] = {
    AgencyKind.CUSTODIAL: (
        View("inbox", "Inbox", "addressee", tuple(OPEN)),
        View("answered", "Answered", "addressee", tuple(ANSWERED)),
        View("all", "All received", "addressee"),
    ),
    AgencyKind.IMMIGRATION: (
        View("outstanding", "Outstanding", "issuer", tuple(OPEN)),
        View("answers", "Answers", "issuer", tuple(ANSWERED)),
        View("escalate", "Ready to escalate", "issuer", escalable=True),
        View("all", "All issued", "issuer"),
    ),
    AgencyKind.PROSECUTOR: (
        View("referrals", "Referrals", "addressee", kinds=(K.REFERRAL.value,)),
        View("petitions", "Petitions filed", "issuer", kinds=(K.ENFORCEMENT_PETITION.value,)),
    ),
    AgencyKind.COURT: (
        View("petitions", "Petitions", "addressee", kinds=(K.ENFORCEMENT_PETITION.value,)),
        View("orders", "Orders", "issuer", kinds=(K.COURT_ORDER.value,)),
    ),
}
SORTS = {"urgency": "Most urgent first", "person": "Person", "kind": "Kind", "newest": "Newest"}


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


def instruments_page(
    db: Connection,
    agency_id: str,
    agency_kind: AgencyKind,
    view: View,
    *,
    now: datetime,
    q: str = "",
    sort: str = "urgency",
    number: int = 1,
) -> Page:
    """One page of a list. The custodial agency holds the people of the instruments addressed
    to it; every other list is read as the issuer may see it."""
    holder = agency_kind is AgencyKind.CUSTODIAL and view.mine == "addressee"
    cols = _columns(holder, now)
    query = select(
        i,
        cols.status.label("shown_status"),
        cols.due.label("shown_due"),
        cols.person.label("person"),
        cols.release.label("release_at"),
        cols.urgent.label("urgent"),
    ).join(c, c.c.id == i.c.case_id)
    if cols.joins_person:
        release = cols.release.table
        query = query.join(p, p.c.id == c.c.person_id).outerjoin(
            release, release.c.person_id == p.c.id
        )
    query = query.where(*_filters(agency_id, view, q, cols))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = min(max(1, number), max(1, -(-total // PAGE_SIZE)))
    ordered = query.order_by(*_order(sort, cols, holder))
    ordered = ordered.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    return Page([_row(r) for r in db.execute(ordered)], total, number)


def _release_dates() -> Any:
    t = orm.custodies
    return (
        select(t.c.person_id, func.min(t.c.expected_release_at).label("release_at"))
        .where(t.c.status == "in_custody")
        .group_by(t.c.person_id)
        .subquery()
    )


def _filters(agency_id: str, view: View, q: str, cols: _Columns) -> list[ColumnElement[bool]]:
    side = i.c.addressee_agency_id if view.mine == "addressee" else i.c.issuer_agency_id
    found: list[ColumnElement[bool]] = [side == agency_id]
    if view.statuses:
        found.append(cols.status.in_(view.statuses))
    if view.kinds:
        found.append(i.c.kind.in_(view.kinds))
    if view.escalable:
        found.append(or_(*(and_(cols.status == s, i.c.kind == k) for s, k in ESCALABLE)))
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


def _order(sort: str, cols: _Columns, holder: bool) -> list[Any]:
    if sort == "person":
        return [cols.person, i.c.id]
    if sort == "kind":
        return [i.c.kind, cols.due.is_(None), cols.due, i.c.id]
    if sort == "newest":
        return [i.c.issued_at.desc(), i.c.id]
    # Releases near first (for the holder); soonest due; then what has no due date (or none
    # this agency may see), oldest first.
    urgent = [cols.urgent.desc()] if holder else []
    return [*urgent, cols.due.is_(None), cols.due, i.c.issued_at, i.c.id]


def _row(r: Any) -> Row:
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
    )

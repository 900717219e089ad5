"""The desk's lists as keyset pages on real SQLite and PostgreSQL: every row exactly once and
in the list's order, page after page and back again, in every sort and view; the releases
within 48 hours first; counts that stop at a cap; cursors that name no person."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.persons import Charge
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.queries import desk_lists
from lexdesk.queries.desk_lists import OPEN, Filters, Reader, Row
from lexdesk.services import instruments as verbs
from lexdesk.services import persons, work
from lexdesk.services.context import Desk
from tests.databases import counted
from tests.factories import seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

NY = ZoneInfo("America/New_York")
START = datetime(2019, 11, 21, 15, tzinfo=UTC)
#: Family names whose order is the same under any collation: no two share a first letter.
FAMILIES = ("Abbington", "Brightwater", "Corvale", "Dunmore", "Eastlake", "Fairholm", "Glenrow")
PAGE = 3


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


def booked(desk: Desk, number: int, release: datetime) -> Any:
    return persons.book_person(
        desk,
        persons.BookPerson(
            actor="doc-officer",
            family_name=FAMILIES[number % len(FAMILIES)],
            given_name=f"Testgiven{number:02d}",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 18, tzinfo=UTC),
            expected_release_at=release,
            identifiers={"nysid": f"{number:08d}Q"},
            charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
        ),
    )


def issued(desk: Desk, person: Any, kind: str = "detainer") -> str:
    actions: tuple[str, ...] = ("hold", "notify_release")
    warrant = "administrative"
    if kind != "detainer":
        actions, warrant = ("disclose:home_address",), "none"
    command = verbs.IssueInstrument("ice-officer", kind, "doc", person.id, actions, warrant)
    return verbs.issue_instrument(desk, command).id


@pytest.fixture
def desk_with_rows(desk: Desk, engine: Engine, clock: FakeClock) -> dict[str, str]:
    """Thirteen instruments: open and answered, with and without a due date, issued at the
    same moment and at different ones, some assigned; one person due for release tomorrow."""
    made: dict[str, str] = {}
    for number in range(12):
        release = START + timedelta(days=10 + 7 * (number % 5))
        person = booked(desk, number, release)
        kind = "information_request" if number % 4 == 3 else "detainer"
        made[issued(desk, person, kind)] = kind
        if number % 3:  # some share their issue time with the one before
            clock.advance(seconds=90)
    soon = booked(desk, 99, START + timedelta(hours=30))
    urgent = issued(desk, soon)
    ids = list(made)
    for instrument in ids[:4]:
        verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", instrument))
    for instrument in ids[4:7]:
        verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", instrument))
        verbs.determine(
            desk, verbs.Determine("doc-legal", instrument, "declined", "No judicial warrant.")
        )
    work.assign(desk, work.Assign("doc-officer", "instrument", ids[0], "doc-officer"))
    work.assign(desk, work.Assign("doc-officer", "instrument", ids[8], "doc-officer"))
    case_id = _case_of(engine, ids[9])  # worked through its case
    work.assign(desk, work.Assign("doc-officer", "case", case_id, "doc-officer"))
    work.assign(desk, work.Assign("ice-officer", "instrument", ids[1], "ice-officer"))
    made[urgent] = "urgent"
    return made


def _case_of(engine: Engine, instrument_id: str) -> str:
    with engine.connect() as db:
        found = db.scalar(
            select(orm.instruments.c.case_id).where(orm.instruments.c.id == instrument_id)
        )
    assert found
    return str(found)


def reader(engine: Engine, clock: FakeClock, agency: str, kind: AgencyKind, user: str) -> Reader:
    with engine.connect() as db:
        user_id = db.scalar(select(orm.users.c.id).where(orm.users.c.username == user))
    assert user_id
    return Reader(agency, kind, str(user_id), clock.now(), NY, DEVELOPMENT)


def walk(engine: Engine, who: Reader, view: str, sort: str, **options: Any) -> list[list[Row]]:
    """Every page of a list, following each page's next cursor from the first."""
    chosen = desk_lists.view_for(who.agency_kind, view)
    pages: list[list[Row]] = []
    cursor = ""
    with engine.connect() as db:
        while True:
            page = desk_lists.instruments_page(
                db, who, chosen, sort=sort, cursor=cursor, size=PAGE, **options
            )
            assert len(page.rows) <= PAGE
            assert (page.previous is None) == (not pages), "a previous page but the first"
            pages.append(page.rows)
            if page.next is None:
                return pages
            cursor = page.next


def walk_back(engine: Engine, who: Reader, view: str, sort: str, last: str) -> list[list[Row]]:
    """The pages before the one ``last`` opens, following each page's previous cursor."""
    chosen = desk_lists.view_for(who.agency_kind, view)
    pages: list[list[Row]] = []
    with engine.connect() as db:
        page = desk_lists.instruments_page(db, who, chosen, sort=sort, cursor=last, size=PAGE)
        cursor = page.previous
        while cursor:
            page = desk_lists.instruments_page(db, who, chosen, sort=sort, cursor=cursor, size=PAGE)
            assert page.next is not None and len(page.rows) == PAGE
            pages.insert(0, page.rows)
            cursor = page.previous
    return pages


def _late(moment: datetime | None) -> tuple[bool, float]:
    return (moment is None, moment.timestamp() if moment else 0.0)


def _descending_id(row: Row) -> list[int]:
    return [-ord(ch) for ch in row.id]


#: The order each sort promises, written out in Python from what each row shows.
ORACLES: dict[str, Callable[[list[Row]], list[Row]]] = {
    "due": lambda rows: sorted(rows, key=lambda r: (*_late(r.due_at), r.id)),
    "-due": lambda rows: sorted(rows, key=lambda r: (r.due_at is None, -_late(r.due_at)[1], r.id)),
    "newest": lambda rows: sorted(
        rows,
        key=lambda r: (
            r.issued_at is None,
            -(r.issued_at.timestamp() if r.issued_at else 0),
            _descending_id(r),
        ),
    ),
    "oldest": lambda rows: sorted(
        rows, key=lambda r: (r.issued_at is not None, _late(r.issued_at)[1], r.id)
    ),
    "kind": lambda rows: sorted(rows, key=lambda r: (r.kind, *_late(r.due_at), r.id)),
    "status": lambda rows: sorted(rows, key=lambda r: (r.status, *_late(r.due_at), r.id)),
    "urgency": lambda rows: (
        sorted(
            [r for r in rows if r.status in OPEN and r.due_at is not None],
            key=lambda r: (_late(r.due_at)[1], r.id),
        )
        + ORACLES["newest"]([r for r in rows if not (r.status in OPEN and r.due_at is not None)])
    ),
}

CASES = [
    (
        "doc",
        AgencyKind.CUSTODIAL,
        "doc-officer",
        ("inbox", "answered", "all", "mine", "unassigned"),
    ),
    ("ice", AgencyKind.IMMIGRATION, "ice-officer", ("outstanding", "all", "mine", "unassigned")),
]


@pytest.mark.parametrize(("agency", "kind", "user", "views"), CASES)
def test_every_row_once_and_in_order_page_after_page_and_back(
    engine: Engine,
    clock: FakeClock,
    desk_with_rows: dict[str, str],
    agency: str,
    kind: AgencyKind,
    user: str,
    views: tuple[str, ...],
) -> None:
    who = reader(engine, clock, agency, kind, user)
    seen_any = False
    for view in views:
        for sort in desk_lists.SORTS:
            pages = walk(engine, who, view, sort)
            rows = [row for page in pages for row in page]
            ids = [row.id for row in rows]
            assert len(ids) == len(set(ids)), (view, sort, "a row twice")
            assert rows == ORACLES[sort](rows), (view, sort)
            everything = _unpaged(engine, who, view)
            assert set(ids) == everything, (view, sort, "a row missed")
            with engine.connect() as db:
                chosen = desk_lists.view_for(kind, view)
                exported = desk_lists.instruments_all(db, who, chosen, sort=sort)
            assert [r.id for r in exported] == ids, (view, sort, "the export's order")
            if len(pages) > 1:
                seen_any = True
                with engine.connect() as db:
                    last = _cursor_of_last_page(db, who, view, sort, len(pages))
                back = walk_back(engine, who, view, sort, last)
                assert [r.id for p in back for r in p] == [r.id for p in pages[:-1] for r in p]
    assert seen_any, "no list was long enough to page"


def _cursor_of_last_page(db: Any, who: Reader, view: str, sort: str, count: int) -> str:
    """The cursor that opens the last page: the next cursor of the page before it."""
    chosen = desk_lists.view_for(who.agency_kind, view)
    cursor = ""
    for _ in range(count - 1):
        page = desk_lists.instruments_page(db, who, chosen, sort=sort, cursor=cursor, size=PAGE)
        assert page.next is not None
        cursor = page.next
    return cursor


def _unpaged(engine: Engine, who: Reader, view: str) -> set[str]:
    """The list's rows in one page far larger than the list: what paging must add up to."""
    with engine.connect() as db:
        chosen = desk_lists.view_for(who.agency_kind, view)
        page = desk_lists.instruments_page(db, who, chosen, size=1000)
    assert page.next is None and page.previous is None
    return {row.id for row in page.rows}


def test_releases_within_48_hours_come_first_for_the_custodian_alone(
    engine: Engine, clock: FakeClock, desk_with_rows: dict[str, str]
) -> None:
    urgent = next(i for i, kind in desk_with_rows.items() if kind == "urgent")
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    ice = reader(engine, clock, "ice", AgencyKind.IMMIGRATION, "ice-officer")
    with engine.connect() as db:
        inbox = desk_lists.view_for(doc.agency_kind, "inbox")
        first = desk_lists.instruments_page(db, doc, inbox, size=PAGE)
        assert [r.id for r in first.urgent] == [urgent] and first.urgent[0].urgent
        assert first.urgent[0].release_at is not None
        assert first.next is not None
        later = desk_lists.instruments_page(db, doc, inbox, cursor=first.next, size=PAGE)
        assert later.urgent == []
        # Another order lists them in their place only.
        by_kind = desk_lists.instruments_page(db, doc, inbox, sort="kind", size=PAGE)
        assert by_kind.urgent == []
        # The filters narrow it like the list: an answered tab has none open.
        answered = desk_lists.view_for(doc.agency_kind, "answered")
        assert desk_lists.instruments_page(db, doc, answered).urgent == []
        # The requester is told no release: no such list, no such mark.
        outstanding = desk_lists.view_for(ice.agency_kind, "outstanding")
        asked = desk_lists.instruments_page(db, ice, outstanding, size=1000)
        assert asked.urgent == [] and not any(r.urgent or r.release_at for r in asked.rows)
    # ...in its place in the list too, marked; not again on a later page.
    listed = [r for p in walk(engine, doc, "inbox", "urgency") for r in p]
    assert [r.id for r in listed if r.urgent] == [urgent]
    clock.moment = START + timedelta(hours=31)  # the release has passed: no longer "soon"
    later_doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    with engine.connect() as db:
        assert desk_lists.instruments_page(db, later_doc, inbox).urgent == []


def test_counts_stop_at_the_cap(
    engine: Engine,
    clock: FakeClock,
    desk_with_rows: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    with engine.connect() as db, counted(engine) as sent:
        exact = desk_lists.counts(db, doc)
        # Every tab's total and overdue figures, each branch capped, in one round trip.
        assert len(sent) == 1, sent
        assert exact["all"].total == 13 and not exact["all"].more
        assert exact["all"].shown_total == "13"
        assert exact["mine"].total == 3  # two instruments and a case of its own
        monkeypatch.setattr(desk_lists, "COUNT_CAP", 5)
        capped = desk_lists.counts(db, doc)
        assert capped["all"].total == 5 and capped["all"].more
        assert capped["all"].shown_total == "5+"
        assert capped["mine"].total == 3 and not capped["mine"].more
        inbox = desk_lists.view_for(doc.agency_kind, "inbox")
        page = desk_lists.instruments_page(db, doc, inbox, size=PAGE)
        assert page.more and page.shown_total == "5+"
        narrowed = desk_lists.instruments_page(
            db, doc, inbox, filters=Filters(kind="information_request")
        )
        assert not narrowed.more and narrowed.total == len(narrowed.rows)


def test_a_cursor_names_a_row_by_its_id_and_no_person(
    engine: Engine, clock: FakeClock, desk_with_rows: dict[str, str]
) -> None:
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    ice2 = reader(engine, clock, "ice2", AgencyKind.IMMIGRATION, "ice2-officer")
    with engine.connect() as db:
        inbox = desk_lists.view_for(doc.agency_kind, "all")
        page = desk_lists.instruments_page(db, doc, inbox, sort="kind", size=PAGE)
        assert page.next is not None
        decoded = base64.urlsafe_b64decode(page.next + "=" * (-len(page.next) % 4)).decode()
        assert page.rows[-1].id in decoded
        assert not any(name.upper() in decoded.upper() for name in FAMILIES)
        assert "Testgiven" not in decoded and json.loads(decoded)["s"] == "kind"
        # A cursor of another list, or none of ours, opens the first page.
        first = [r.id for r in page.rows]
        for cursor in (page.next + "x", "not-a-cursor", page.next.upper()):
            again = desk_lists.instruments_page(db, doc, inbox, sort="kind", cursor=cursor)
            assert [r.id for r in again.rows][:PAGE] == first
        by_due = desk_lists.instruments_page(db, doc, inbox, sort="due", cursor=page.next)
        assert by_due.previous is None
        # Another agency's cursor points at a row it does not take part in: the first page.
        theirs = desk_lists.view_for(ice2.agency_kind, "all")
        elsewhere = desk_lists.instruments_page(db, ice2, theirs, sort="kind", cursor=page.next)
        assert elsewhere.previous is None

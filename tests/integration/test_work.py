"""Work management on real SQLite and PostgreSQL: assignments and notes kept per agency, the
web lists' filters, sorts, counts, due tags and exports, all under the disclosure policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.domain.work import NOTE_MAX, Urgency
from lexdesk.queries import desk_lists
from lexdesk.queries.desk_lists import Filters, Reader
from lexdesk.services import agencies, work
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.factories import book, detainer, seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

NY = ZoneInfo("America/New_York")
#: The person's expected release (tests.factories.book): the custodian's hold clock runs from it.
RELEASE = datetime(2020, 3, 2, 14, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC))


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    agencies.add_user(desk, agencies.AddUser("doc-auditor", "doc", "Auditor", ("auditor",)))
    agencies.add_user(desk, agencies.AddUser("ice-second", "ice", "Second", ("officer",)))
    return desk


def user_id(engine: Engine, username: str) -> str:
    with engine.connect() as db:
        found = db.scalar(select(orm.users.c.id).where(orm.users.c.username == username))
    assert found
    return str(found)


def reader(engine: Engine, clock: FakeClock, agency: str, kind: AgencyKind, user: str) -> Reader:
    return Reader(agency, kind, user_id(engine, user), clock.now(), NY, DEVELOPMENT)


def rows(engine: Engine, who: Reader, view: str, **options: object) -> list[desk_lists.Row]:
    with engine.connect() as db:
        chosen = desk_lists.view_for(who.agency_kind, view)
        return desk_lists.instruments_all(db, who, chosen, **options)  # type: ignore[arg-type]


def test_each_agency_assigns_its_own_side_and_neither_sees_the_others(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    first = detainer(desk, book(desk))
    done = work.assign(desk, work.Assign("ice-officer", "instrument", first, "ice-second", "web"))
    assert done.changed and done.assignee == "ice-second" and done.previous is None
    again = work.assign(desk, work.Assign("ice-officer", "instrument", first, "ice-officer"))
    assert again.previous == "ice-second" and again.assignee == "ice-officer"
    ice = reader(engine, clock, "ice", AgencyKind.IMMIGRATION, "ice-officer")
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    assert [r.assignee for r in rows(engine, ice, "all")] == ["ice-officer"]
    assert [r.id for r in rows(engine, ice, "mine")] == [first]
    assert rows(engine, ice, "unassigned") == []
    # The custodian sees no assignee of the requester's, and has the instrument unassigned.
    assert [r.assignee for r in rows(engine, doc, "inbox")] == [None]
    assert [r.id for r in rows(engine, doc, "unassigned")] == [first]
    assert rows(engine, doc, "mine") == []
    # A case assigned covers its instruments that have none of their own.
    case_id = done.case_id
    work.assign(desk, work.Assign("doc-legal", "case", case_id, "doc-officer"))
    assert [r.assignee for r in rows(engine, doc, "inbox")] == ["doc-officer"]
    assert [r.id for r in rows(engine, doc, "mine")] == [first]
    assert [r.assignee for r in rows(engine, ice, "all")] == ["ice-officer"]
    # Unassigning takes it back, on record like the rest.
    work.assign(desk, work.Assign("ice-officer", "instrument", first, ""))
    assert [r.id for r in rows(engine, ice, "unassigned")] == [first]
    with engine.connect() as db:
        audit = db.execute(
            select(orm.audit_log.c.action, orm.audit_log.c.agency, orm.audit_log.c.detail)
            .where(orm.audit_log.c.action.like("%assign"))
            .order_by(orm.audit_log.c.seq)
        ).all()
    assert [(a.action, a.agency, a.detail["assignee"], a.detail["previous"]) for a in audit] == [
        ("instrument.assign", "ice", "ice-second", None),
        ("instrument.assign", "ice", "ice-officer", "ice-second"),
        ("case.assign", "doc", "doc-officer", None),
        ("instrument.unassign", "ice", None, "ice-officer"),
    ]


def test_only_a_working_colleague_of_ones_own_agency_is_given_work(desk: Desk) -> None:
    first = detainer(desk, book(desk))
    for name, why in (
        ("doc-officer", "no one of ice"),
        ("nobody-here", "no one of ice"),
    ):
        with pytest.raises(InvalidInput, match=why):
            work.assign(desk, work.Assign("ice-officer", "instrument", first, name))
    with pytest.raises(InvalidInput, match="does not work cases"):
        work.assign(desk, work.Assign("doc-officer", "instrument", first, "doc-auditor"))
    # An agency that may not see the instrument cannot assign it: it does not exist for it.
    with pytest.raises(NotFound):
        work.assign(desk, work.Assign("ice2-officer", "instrument", first, "ice2-legal"))
    with pytest.raises(InvalidInput, match="kind of object"):
        work.assign(desk, work.Assign("ice-officer", "person", first, "ice-officer"))


def test_notes_are_the_agencys_own_limited_and_append_only(desk: Desk, engine: Engine) -> None:
    first = detainer(desk, book(desk))
    with desk.uow() as uow:
        case = uow.cases.of_instrument(first)
    assert case is not None
    note = work.add_note(desk, work.AddNote("doc-legal", case.id, "  Check the warrant.  "))
    assert note.text == "Check the warrant." and note.agency_id == "doc"
    work.add_note(desk, work.AddNote("ice-officer", case.id, "Requester's own remark"))
    with pytest.raises(InvalidInput, match="empty"):
        work.add_note(desk, work.AddNote("doc-legal", case.id, "   "))
    with pytest.raises(InvalidInput, match=f"{NOTE_MAX} or fewer"):
        work.add_note(desk, work.AddNote("doc-legal", case.id, "x" * (NOTE_MAX + 1)))
    with pytest.raises(NotFound):
        work.add_note(desk, work.AddNote("ice2-officer", case.id, "An outsider's note"))
    from lexdesk.services.accounts import Principal

    def seen_by(agency: str, kind: AgencyKind, username: str) -> list[str]:
        from lexdesk.domain.agencies import Role

        principal = Principal("u", username, agency, kind, frozenset({Role.OFFICER}), "cli")
        return [n.text for n in work.case_work(desk, principal, case.id).notes]

    assert seen_by("doc", AgencyKind.CUSTODIAL, "doc-legal") == ["Check the warrant."]
    assert seen_by("ice", AgencyKind.IMMIGRATION, "ice-officer") == ["Requester's own remark"]
    with pytest.raises(NotFound):
        seen_by("ice2", AgencyKind.IMMIGRATION, "ice2-officer")
    with engine.connect() as db:
        entries = db.execute(
            select(orm.audit_log.c.outcome, orm.audit_log.c.detail).where(
                orm.audit_log.c.action == "case.note"
            )
        ).all()
    assert [e.outcome for e in entries].count("success") == 2
    assert all("Check the warrant" not in str(e.detail) for e in entries)
    # The database itself refuses to change or remove a note.
    for statement in ("UPDATE case_notes SET text = 'changed'", "DELETE FROM case_notes"):
        with pytest.raises(DBAPIError), engine.begin() as db:
            db.execute(text(statement))


def test_filters_sorts_and_counts_read_what_the_row_shows(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    first = detainer(desk, book(desk, "11111111A"))
    clock.advance(minutes=5)
    second = detainer(desk, book(desk, "22222222B"))
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", second))
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    assert {r.id for r in rows(engine, doc, "inbox", filters=Filters(status="issued"))} == {first}
    assert rows(engine, doc, "inbox", filters=Filters(kind="referral")) == []
    assert len(rows(engine, doc, "inbox", filters=Filters(other="ice"))) == 2
    assert rows(engine, doc, "inbox", filters=Filters(other="ice2")) == []
    due = rows(engine, doc, "inbox")[0].due_at
    assert due is not None
    day = due.astimezone(NY).date()
    on_the_day = Filters(due_from=day, due_to=day)
    assert len(rows(engine, doc, "inbox", filters=on_the_day)) == 2
    after = Filters(due_from=day + timedelta(days=1))
    assert rows(engine, doc, "inbox", filters=after) == []
    assert rows(engine, doc, "inbox", filters=Filters(due_to=day - timedelta(days=1))) == []
    newest = [r.id for r in rows(engine, doc, "all", sort="newest")]
    assert [r.id for r in rows(engine, doc, "all", sort="oldest")] == newest[::-1]
    with engine.connect() as db:
        counted = desk_lists.counts(db, doc)
    assert counted["inbox"].total == 2 and counted["answered"].total == 0
    assert counted["inbox"].overdue == 0


def test_a_requester_never_learns_a_due_date_that_runs_from_a_withheld_release(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    """The custodian's hold clock runs from the release; the requester was told no release,
    so its list, filters, sorts, counts, exports and due tags show and use none of it."""
    early = detainer(desk, book(desk, "11111111A"))
    late = detainer(desk, book(desk, "22222222B"))
    clock.moment = RELEASE + timedelta(hours=60)  # past the first hold's end
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", early))  # the views are stored
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", late))
    doc = reader(engine, clock, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    ice = reader(engine, clock, "ice", AgencyKind.IMMIGRATION, "ice-officer")
    held = {r.id: r for r in rows(engine, doc, "inbox")}
    assert held[early].due_at is not None and held[early].urgency is Urgency.OVERDUE
    with engine.connect() as db:
        assert desk_lists.counts(db, doc)["inbox"].overdue >= 1
        assert desk_lists.counts(db, ice)["outstanding"].overdue == 0
    issued = rows(engine, ice, "outstanding")
    assert {r.id for r in issued} == {early, late}
    assert all(r.due_at is None and r.urgency is None for r in issued)
    day = held[early].due_at.astimezone(NY).date()  # type: ignore[union-attr]
    for filters in (
        Filters(due_from=day, due_to=day),
        Filters(due_to=day + timedelta(days=30)),
        Filters(due_from=date(2000, 1, 1)),
    ):
        assert rows(engine, ice, "all", filters=filters) == []
    for sort in ("urgency", "due", "-due"):
        order = [r.id for r in rows(engine, ice, "all", sort=sort)]
        assert order == sorted(order) or sort == "urgency", sort
    # The requester's default order is newest first: it is blind to the custodian's clocks.
    assert [r.id for r in rows(engine, ice, "all")] == [
        r.id for r in rows(engine, ice, "all", sort="newest")
    ]


def test_a_saved_search_serves_its_user_alone_and_for_thirty_days(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    mine, other = user_id(engine, "ice-officer"), user_id(engine, "ice-second")
    search_id = work.save_search(desk, mine, "  Quintal   Dario ")
    assert search_id and search_id.startswith("srch-")
    assert work.saved_search(desk, mine, search_id) == "Quintal Dario"
    assert work.saved_search(desk, other, search_id) is None
    assert work.saved_search(desk, mine, "srch-0000000000000000") is None
    assert work.save_search(desk, mine, "   ") is None
    with pytest.raises(InvalidInput, match="longer than 200"):
        work.save_search(desk, mine, "x" * 201)
    clock.moment += timedelta(days=30, seconds=1)
    assert work.saved_search(desk, mine, search_id) is None


def test_drafts_and_searches_past_their_keeping_are_deleted_with_what_they_said(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    mine = user_id(engine, "ice-officer")
    said = {"errors": {"reason": "Say why."}, "contradictions": [{"action": "hold"}]}
    old = work.save_draft(desk, mine, "book", {"family_name": ("Quintal",)}, said)
    kept = work.draft(desk, mine, "book", old)
    assert kept is not None and kept.errors == {"reason": "Say why."} and kept.said == said
    search = work.save_search(desk, mine, "Quintal")
    clock.moment += timedelta(days=1, seconds=1)
    fresh = work.save_draft(desk, mine, "book", {"family_name": ("Vale",)})
    assert work.forget_expired(desk) == 1  # the day-old draft; the search lives 30 days
    with engine.connect() as db:
        left = set(db.scalars(select(orm.form_drafts.c.id)))
    assert left == {fresh}
    clock.moment += timedelta(days=30)
    assert work.forget_expired(desk) == 2 and search is not None
    with engine.connect() as db:
        assert db.scalar(select(orm.saved_searches.c.id)) is None

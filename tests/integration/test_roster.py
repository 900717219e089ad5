"""Importing a jail roster: each row booked, booked again, updated or unchanged; all rows or
none (a rejected row, with its reason, refuses the file); safe to run twice; the clocks follow
the release."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import instruments as verbs
from lexdesk.services import persons, roster
from lexdesk.services.context import Desk
from tests.factories import seed_agencies
from tests.fakes import FakeClock
from tests.reliability.support import InjectedFault, desk_on, fail_at_write, snapshot

HEADER = ("nysid", "family_name", "given_name", "arrested_on", "booked_at", "expected_release_at")


def rows(*lines: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    return [(n, dict(zip(HEADER, line, strict=True))) for n, line in enumerate(lines, 2)]


FIRST = ("11110001A", "Example", "Rowan", "2019-11-20", "2019-11-20T18:00:00-05:00",
         "2020-03-02T09:00:00-05:00")  # fmt: skip
SECOND = ("11110002B", "Sample", "Jules", "2019-11-21", "2019-11-21T18:00:00-05:00", "")


@pytest.fixture
def desk(engine: Engine) -> Desk:
    made = desk_on(engine, FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC)))
    seed_agencies(made)
    return made


def test_a_roster_with_a_wrong_row_books_nobody(desk: Desk, engine: Engine) -> None:
    bad = ("11110003C", "Wrong", "Date", "2019-13-01", "2019-11-21T18:00:00-05:00", "")
    before = snapshot(engine)
    with pytest.raises(roster.RosterRefused, match="1 of 3 rows were rejected") as refused:
        roster.import_roster(desk, "doc-officer", rows(FIRST, bad, SECOND))
    assert [(r.line, r.reason) for r in refused.value.rejected] == [
        (3, "arrested_on '2019-13-01' is not a date (YYYY-MM-DD)")
    ]
    after = snapshot(engine)
    assert {t for t in after if after[t] != before[t]} == {"audit_log"}  # the refusal
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.persons)) == 0


def test_a_roster_books_then_changes_nothing_the_second_time(desk: Desk, engine: Engine) -> None:
    first = roster.import_roster(desk, "doc-officer", rows(FIRST, SECOND))
    assert first.counts == {"booked": 2, "rebooked": 0, "updated": 0, "unchanged": 0,
                            "rejected": 0}  # fmt: skip
    before = snapshot(engine)
    again = roster.import_roster(desk, "doc-officer", rows(FIRST, SECOND))
    assert again.counts["unchanged"] == 2 and again.counts["booked"] == 0
    after = snapshot(engine)
    assert {t for t in after if after[t] != before[t]} <= {"audit_log"}


def test_a_new_release_on_the_roster_moves_the_clocks_that_run_from_it(desk: Desk) -> None:
    report = roster.import_roster(desk, "doc-officer", rows(FIRST))
    person = report.rows[0].person_id
    detainer = verbs.issue_instrument(
        desk, verbs.IssueInstrument("ice-officer", "detainer", "doc", person, ("hold",))
    )
    moved = (*FIRST[:5], "2020-03-09T09:00:00-04:00")
    report = roster.import_roster(desk, "doc-officer", rows(moved))
    assert report.counts["updated"] == 1
    with desk.uow() as uow:
        case = uow.cases.of_instrument(detainer.id)
        assert case is not None
        due = case.instrument(detainer.id).due
    assert due is not None and due.due_at == datetime(2020, 3, 11, 13, tzinfo=UTC)


def test_someone_released_then_on_the_roster_again_is_booked_again(desk: Desk) -> None:
    report = roster.import_roster(desk, "doc-officer", rows(FIRST))
    person = report.rows[0].person_id
    persons.release_person(desk, persons.ReleasePerson("doc-officer", person, "Time served."))
    again = roster.import_roster(desk, "doc-officer", rows(FIRST))
    assert [(r.outcome, r.person_id) for r in again.rows] == [("rebooked", person)]


def test_each_wrong_row_says_why(desk: Desk) -> None:
    twice = (*SECOND[:1], "Other", "Name", *SECOND[3:])
    early = (*SECOND[:5], "2019-11-01T09:00:00-05:00")
    naive = (*SECOND[:4], "2019-11-21T18:00:00", "")
    with pytest.raises(roster.RosterRefused) as refused:
        roster.import_roster(desk, "doc-officer", rows(SECOND, twice, early, naive))
    reasons = [r.reason for r in refused.value.rejected]
    assert reasons == [
        "nysid 11110002B appears again (first on line 2)",
        "expected_release_at precedes booked_at",
        "booked_at '2019-11-21T18:00:00' has no time zone: add one, e.g. -05:00",
    ]


def test_a_roster_is_a_custodians_and_its_header_is_checked(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="unknown column 'shoe_size'"):
        roster.check_columns([*HEADER, "shoe_size"])
    with pytest.raises(InvalidInput, match="an identifier column"):
        roster.check_columns(HEADER[1:])
    from lexdesk.domain.errors import NotPermitted

    with pytest.raises(NotPermitted):
        roster.import_roster(desk, "ice-officer", rows(FIRST))


def test_a_failure_at_any_write_leaves_nothing_of_the_file(desk: Desk, engine: Engine) -> None:
    before, n = snapshot(engine), 1
    while True:
        with fail_at_write(engine, n):
            try:
                roster.import_roster(desk, "doc-officer", rows(FIRST, SECOND))
            except InjectedFault:
                assert snapshot(engine) == before, n
                n += 1
                continue
        break
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.persons)) == 2
    assert n > 4  # persons, identifiers, custodies, audit entries were each refused once

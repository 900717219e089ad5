"""The lists are searched by name through the blind index, on both databases: a name is found
by its words and their beginnings of three letters or more, case and accents aside, each word
searched a word of the name; the custodian searches its record of the person, the requester
the subject it gave the case (an identifier); nothing is found through another agency's index,
and an infix no longer finds anything (docs/adr/0027-sealed-person-records.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.queries import desk_lists
from lexdesk.queries.desk_lists import Reader
from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from lexdesk.services.context import Desk
from tests.factories import seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

NOW = datetime(2019, 11, 21, 15, tzinfo=UTC)
PEOPLE = {
    "rivera": ("Rivera", "Ana María", "11111111R"),
    "riviere": ("Rivière", "José", "22222222R"),
    "oliver": ("Oliver", "Bastian", "33333333R"),
}


@pytest.fixture
def desk(engine: Engine) -> Desk:
    clock = FakeClock(NOW)
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


@pytest.fixture
def lodged(desk: Desk) -> dict[str, str]:
    """A detainer about each person, lodged by their NYSID: which instrument is whose."""
    made = {}
    for key, (family, given, nysid) in PEOPLE.items():
        person: Person = persons.book_person(
            desk,
            persons.BookPerson(
                "doc-officer", family, given, date(2019, 11, 20),
                datetime(2019, 11, 20, 18, tzinfo=UTC), identifiers={"nysid": nysid},
            ),
        )  # fmt: skip
        command = verbs.IssueInstrument(
            "ice-officer", "detainer", "doc", f"nysid:{nysid}", ("hold",), "administrative"
        )
        made[verbs.issue_instrument(desk, command).id] = key
        assert person.id
    return made


def reader(engine: Engine, agency: str, kind: AgencyKind, user: str) -> Reader:
    with engine.connect() as db:
        user_id = db.scalar(select(orm.users.c.id).where(orm.users.c.username == user))
    return Reader(agency, kind, str(user_id), NOW, ZoneInfo("America/New_York"), DEVELOPMENT)


def search(engine: Engine, who: Reader, view: str, q: str, lodged: dict[str, str]) -> set[str]:
    with engine.connect() as db:
        chosen = desk_lists.view_for(who.agency_kind, view)
        page = desk_lists.instruments_page(db, who, chosen, q=q, size=50)
    return {lodged[row.id] for row in page.rows}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("rivera", {"rivera"}),
        ("RIVERA", {"rivera"}),
        ("riv", {"rivera", "riviere"}),  # a beginning of three letters finds both
        ("riviere", {"riviere"}),  # accents aside
        ("Rivière José", {"riviere"}),  # every word searched is a word of the name
        ("ana rivera", {"rivera"}),
        ("maria", {"rivera"}),  # a given name's second word
        ("ana oliver", set()),  # two people's words are no one's name
        ("ive", set()),  # an infix finds nothing
        ("ri", set()),  # nor a beginning shorter than three letters
        ("11111111R", set()),  # the custodian's identifiers are not in its name index
    ],
)
def test_the_custodian_finds_its_people_by_their_names(
    engine: Engine, lodged: dict[str, str], q: str, expected: set[str]
) -> None:
    doc = reader(engine, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    assert search(engine, doc, "inbox", q, lodged) == expected


def test_the_requester_finds_its_cases_by_the_subject_it_gave(
    engine: Engine, lodged: dict[str, str]
) -> None:
    ice = reader(engine, "ice", AgencyKind.IMMIGRATION, "ice-officer")
    assert search(engine, ice, "outstanding", "22222222R", lodged) == {"riviere"}
    assert search(engine, ice, "outstanding", "nysid 33333333r", lodged) == {"oliver"}
    assert search(engine, ice, "outstanding", "3333", lodged) == set()  # identifiers whole
    # The requester never learns the custodian's record of the name.
    assert search(engine, ice, "outstanding", "rivera", lodged) == set()
    # Another requester's index holds nothing of ice's cases.
    ice2 = reader(engine, "ice2", AgencyKind.IMMIGRATION, "ice2-officer")
    assert search(engine, ice2, "all", "22222222R", lodged) == set()


def test_instrument_ids_are_still_found_by_any_part(engine: Engine, lodged: dict[str, str]) -> None:
    doc = reader(engine, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    instrument, key = next(iter(lodged.items()))
    assert search(engine, doc, "inbox", instrument[-6:], lodged) == {key}


def test_the_lists_show_the_names_opened(engine: Engine, lodged: dict[str, str]) -> None:
    doc = reader(engine, "doc", AgencyKind.CUSTODIAL, "doc-officer")
    ice = reader(engine, "ice", AgencyKind.IMMIGRATION, "ice-officer")
    with engine.connect() as db:
        held = desk_lists.instruments_page(db, doc, desk_lists.view_for(doc.agency_kind, "inbox"))
        asked = desk_lists.instruments_page(
            db, ice, desk_lists.view_for(ice.agency_kind, "outstanding")
        )
    assert {r.person for r in held.rows} == {
        "RIVERA, Ana María",
        "RIVIÈRE, José",
        "OLIVER, Bastian",
    }
    assert {r.person for r in asked.rows} == {f"nysid:{p[2]}" for p in PEOPLE.values()}

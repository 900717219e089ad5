"""Test data through the services, as a user would create it. All of it is fictional."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lexdesk.domain.persons import Charge, Conviction, Person
from lexdesk.services import agencies, instruments, persons
from lexdesk.services.context import Desk

ROLES = ("officer", "legal")


def seed_agencies(desk: Desk) -> None:
    """The five parties of the story, each with an officer and a legal user."""
    for command in (
        agencies.RegisterAgency("ice", "ICE Field Office", "immigration", "US"),
        agencies.RegisterAgency(
            "doc", "Department of Correction", "custodial", "US-NY-NYC", "us-ny-nyc-doc"
        ),
        agencies.RegisterAgency("usao", "U.S. Attorney", "prosecutor", "US"),
        agencies.RegisterAgency("court", "District Court", "court", "US"),
        agencies.RegisterAgency("ice2", "Another Field Office", "immigration", "US"),
    ):
        agencies.register_agency(desk, command)
        for role in ROLES:
            agencies.add_user(
                desk, agencies.AddUser(f"{command.id}-{role}", command.id, role.title(), (role,))
            )


def book(
    desk: Desk,
    nysid: str = "11111111A",
    released_on: date | None = date(2018, 3, 1),
    *,
    convicted: bool = True,
) -> Person:
    return persons.book_person(
        desk,
        persons.BookPerson(
            actor="doc-officer",
            family_name="Testperson",
            given_name="Alex",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 18, tzinfo=UTC),
            expected_release_at=datetime(2020, 3, 2, 14, tzinfo=UTC),
            identifiers={"nysid": nysid},
            charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
            convictions=(
                (Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2 years", released_on),)
                if convicted
                else ()
            ),
            record={"home_address": "1 Test Lane"},
        ),
    )


def detainer(desk: Desk, person: Person, warrant: str = "administrative") -> str:
    return instruments.issue_instrument(
        desk,
        instruments.IssueInstrument(
            "ice-officer",
            "detainer",
            "doc",
            person.id,
            ("hold", "notify_release", "disclose:release_date"),
            warrant,
        ),
    ).id


def declined(desk: Desk, instrument_id: str) -> None:
    instruments.acknowledge(desk, instruments.Acknowledge("doc-officer", instrument_id))
    instruments.determine(
        desk, instruments.Determine("doc-legal", instrument_id, "declined", "No judicial warrant.")
    )

"""The parties of the demo story, made through the services: agencies, one user per agency
and role, and a person in the custodial agency's custody. Shared by the web and browser tiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lexdesk.domain.persons import Charge, Conviction
from lexdesk.services import accounts, agencies, persons
from lexdesk.services.context import Desk

PASSWORD = "a long test passphrase 2020"
AGENCIES = (
    ("ice-nyc", "ICE ERO New York", "immigration", "US", None),
    ("nyc-doc", "NYC Department of Correction", "custodial", "US-NY-NYC", "us-ny-nyc-doc"),
    ("usao-edny", "U.S. Attorney, E.D.N.Y.", "prosecutor", "US", None),
    ("edny", "U.S. District Court, E.D.N.Y.", "court", "US", None),
    # Outsiders of each kind, who must never open the story's case.
    ("ice-chi", "ICE ERO Chicago", "immigration", "US", None),
    ("nypd", "New York City Police Department", "custodial", "US-NY-NYC", "us-ny-nyc-nypd"),
    ("usao-sdny", "U.S. Attorney, S.D.N.Y.", "prosecutor", "US", None),
    ("sdny", "U.S. District Court, S.D.N.Y.", "court", "US", None),
)
ROLES = ("officer", "legal", "admin", "auditor")


@dataclass
class Story:
    password: str = PASSWORD
    secrets: dict[str, str] = field(default_factory=dict)
    person_id: str = ""
    nysid: str = "90000001Q"


def set_up_story(desk: Desk, roles: tuple[str, ...] = ROLES, outsiders: bool = True) -> Story:
    story = Story()
    for code, name, kind, jurisdiction, pack in AGENCIES if outsiders else AGENCIES[:4]:
        agencies.register_agency(
            desk, agencies.RegisterAgency(code, name, kind, jurisdiction, pack)
        )
        for role in roles:
            username = f"{code}-{role}"
            command = agencies.AddUser(username, code, f"Test {role} {code}", (role,))
            _, enrolment = accounts.add_account(desk, command, PASSWORD)
            story.secrets[username] = enrolment.totp_secret
    person = persons.book_person(
        desk,
        persons.BookPerson(
            actor="nyc-doc-officer",
            family_name="Quintal",
            given_name="Dario",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 19, tzinfo=UTC),
            expected_release_at=datetime(2020, 6, 30, 13, tzinfo=UTC),
            date_of_birth=date(1998, 4, 2),
            place_of_birth="Georgetown, GY",
            citizenship="unknown",
            identifiers={"nysid": story.nysid},
            charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
            convictions=(
                Conviction(
                    "NY PL 160.15", "B felony", date(2016, 3, 1), "2 years", date(2018, 3, 1)
                ),
            ),
            record={"home_address": "100 Example Avenue, Queens, NY", "work_address": "A deli"},
        ),
    )
    story.person_id = person.id
    return story

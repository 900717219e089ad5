"""The demo's present day: requests open now, so the inboxes have work and a release is near.

The story of 2019-2020 is history by the time anyone runs the demo; these people, fictional
like the rest, are booked relative to the moment ``lexdesk demo`` runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lexdesk.domain.persons import Charge, Conviction, IdentifierScheme
from lexdesk.services import instruments, persons
from lexdesk.services.context import Desk


@dataclass(frozen=True)
class Arrival:
    custodian: str
    family_name: str
    given_name: str
    nysid: str
    charge: str
    release_in: timedelta
    kind: str
    actions: tuple[str, ...]
    warrant: str
    convictions: tuple[Conviction, ...] = ()


ARRIVALS = (
    Arrival(
        "nyc-doc",
        "Marrow",
        "Tessaly",
        "90000005T",
        "NY PL 120.05",
        timedelta(hours=30),
        "detainer",
        ("hold", "notify_release", "disclose:release_date"),
        "judicial",
        (Conviction("NY PL 160.15", "B felony", date(2021, 5, 4), "2 years", date(2023, 5, 4)),),
    ),
    Arrival(
        "nyc-doc",
        "Amunde",
        "Kestrel",
        "90000006K",
        "NY PL 155.30",
        timedelta(days=9),
        "information_request",
        ("disclose:release_date", "disclose:home_address"),
        "none",
    ),
    Arrival(
        "nypd",
        "Vantablen",
        "Noor",
        "90000007N",
        "NY PL 140.25",
        timedelta(hours=20),
        "notification_request",
        ("notify_release",),
        "administrative",
    ),
)


def load_today(desk: Desk) -> list[str]:
    created = []
    for arrival in ARRIVALS:
        with desk.uow() as uow:
            if uow.persons.by_identifier(arrival.custodian, IdentifierScheme.NYSID, arrival.nysid):
                continue
        _arrive(desk, arrival)
        created.append(f"{arrival.family_name}: {arrival.kind} open at {arrival.custodian}")
    return created


def _arrive(desk: Desk, a: Arrival) -> None:
    now = desk.clock.now()
    person = persons.book_person(
        desk,
        persons.BookPerson(
            actor=f"{a.custodian}-officer",
            family_name=a.family_name,
            given_name=a.given_name,
            arrested_on=(now - timedelta(days=2)).date(),
            booked_at=now - timedelta(days=2),
            expected_release_at=now + a.release_in,
            citizenship="unknown",
            identifiers={"nysid": a.nysid, "booking_number": f"B{a.nysid[:8]}"},
            charges=(Charge(a.charge, "felony", (now - timedelta(days=2)).date()),),
            convictions=a.convictions,
            record={"home_address": "300 Placeholder Road, Bronx, NY"},
        ),
    )
    instruments.issue_instrument(
        desk,
        instruments.IssueInstrument(
            "ice-nyc-officer", a.kind, a.custodian, person.id, a.actions, a.warrant
        ),
    )

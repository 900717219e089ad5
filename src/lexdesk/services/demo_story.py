"""The story of 2019-2020, told through the services on its own clock.

Everything here is fictional: the people, their numbers and their histories. The shape follows
the January 2020 story of product.md: detainers declined under Admin. Code § 9-131, four
administrative subpoenas served on 17 January, referrals to the U.S. Attorney, petitions filed
on 3 February and one order, narrowed, that the Department obeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from lexdesk.domain.persons import Charge, Conviction
from lexdesk.services import instruments, persons
from lexdesk.services.context import Desk

NY = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Subject:
    family_name: str
    given_name: str
    nysid: str
    born: date
    birthplace: str
    arrested_on: date
    charge: Charge
    convictions: tuple[Conviction, ...]
    #: How far along the ladder this person's case has come by the end of the story.
    reaches: str
    record: dict[str, str] = field(default_factory=dict)


SUBJECTS = (
    Subject(
        "Quintal",
        "Dario",
        "90000001Q",
        date(1998, 4, 2),
        "Georgetown, GY",
        date(2019, 11, 20),
        Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),
        (Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2 years", date(2018, 3, 1)),),
        "order",
        {
            "home_address": "100 Example Avenue, Queens, NY",
            "work_address": "Fictional Deli, Queens, NY",
        },
    ),
    Subject(
        "Brisquet",
        "Mateo",
        "90000002M",
        date(1993, 9, 14),
        "San Salvador, SV",
        date(2019, 9, 12),
        Charge("NY PL 120.10", "B felony", date(2019, 9, 12)),
        (),
        "petition",
        {"home_address": "200 Sample Street, Brooklyn, NY"},
    ),
    Subject(
        "Corvessa",
        "Ilan",
        "90000003C",
        date(1981, 1, 30),
        "Puebla, MX",
        date(2019, 1, 8),
        Charge("NY PL 130.35", "B felony", date(2019, 1, 8)),
        (Conviction("NY PL 140.25", "C felony", date(2012, 6, 5), "3 years", date(2015, 6, 5)),),
        "referral_accepted",
    ),
    Subject(
        "Ostrand",
        "Rafi",
        "90000004R",
        date(1981, 7, 22),
        "Oaxaca, MX",
        date(2019, 10, 3),
        Charge("NY PL 220.39", "B felony", date(2019, 10, 3)),
        (),
        "referral",
    ),
)


class StoryClock:
    """The story's own time: the demo happens in 2019 and 2020, not today."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def at(self, day: date, hour: int = 10) -> None:
        self.moment = datetime(day.year, day.month, day.day, hour, tzinfo=NY).astimezone(UTC)


def tell(desk: Desk, clock: StoryClock, s: Subject) -> None:
    clock.at(s.arrested_on, 14)
    person = persons.book_person(
        desk,
        persons.BookPerson(
            actor="nyc-doc-officer",
            family_name=s.family_name,
            given_name=s.given_name,
            arrested_on=s.arrested_on,
            booked_at=clock.now(),
            expected_release_at=datetime(2020, 6, 30, 9, tzinfo=NY),
            date_of_birth=s.born,
            place_of_birth=s.birthplace,
            citizenship="unknown",
            identifiers={"nysid": s.nysid, "booking_number": f"B{s.nysid[:8]}"},
            charges=(s.charge,),
            convictions=s.convictions,
            record=s.record,
        ),
    )
    detainer = _detainer_declined(desk, clock, s, person.id)
    subpoena = _subpoena(desk, clock, detainer)
    if s.reaches == "referral_accepted":
        _answer(
            desk,
            clock,
            subpoena,
            "contested",
            "The City contests an administrative subpoena used to override § 9-131.",
        )
    else:
        clock.at(date(2020, 2, 1), 9)
        instruments.lapse_overdue(desk, [subpoena])
    clock.at(date(2020, 2, 1), 11)
    referral = instruments.escalate(
        desk,
        instruments.Escalate(
            "ice-nyc-officer", subpoena, "No records produced by the return date.", "usao-edny"
        ),
    ).id
    if s.reaches == "referral":
        return
    _acknowledge(desk, clock, referral, "usao-edny-legal", date(2020, 2, 3))
    if s.reaches == "referral_accepted":
        return
    petition = instruments.escalate(
        desk,
        instruments.Escalate(
            "usao-edny-legal",
            referral,
            "Petition to enforce under 8 U.S.C. 1225(d)(4)(B).",
            "edny",
            reference=f"20-mc-{s.nysid[-3:]}",
        ),
    ).id
    _acknowledge(desk, clock, petition, "edny-officer", date(2020, 2, 4))
    if s.reaches == "petition":
        return
    _order(desk, clock, petition)


def _detainer_declined(desk: Desk, clock: StoryClock, s: Subject, person_id: str) -> str:
    clock.at(s.arrested_on + timedelta(days=1), 9)
    detainer = instruments.issue_instrument(
        desk,
        instruments.IssueInstrument(
            "ice-nyc-officer",
            "detainer",
            "nyc-doc",
            person_id,
            ("hold", "notify_release", "disclose:release_date"),
            "administrative",
            reference="I-247A",
        ),
    ).id
    _acknowledge(desk, clock, detainer, "nyc-doc-officer", s.arrested_on + timedelta(days=1))
    _answer(
        desk,
        clock,
        detainer,
        "declined",
        "No judicial warrant: § 9-131 does not let the Department honor it.",
    )
    return detainer


def _subpoena(desk: Desk, clock: StoryClock, detainer: str) -> str:
    clock.at(date(2020, 1, 17), 15)
    subpoena = instruments.escalate(
        desk,
        instruments.Escalate(
            "ice-nyc-officer",
            detainer,
            "Detainer declined; records demanded by subpoena.",
            actions=(
                "disclose:release_date",
                "disclose:home_address",
                "disclose:work_address",
                "disclose:criminal_history",
            ),
            return_date=datetime(2020, 1, 31, 17, tzinfo=NY),
            reference="I-138",
        ),
    ).id
    _acknowledge(desk, clock, subpoena, "nyc-doc-legal", date(2020, 1, 21))
    return subpoena


def _order(desk: Desk, clock: StoryClock, petition: str) -> None:
    clock.at(date(2020, 4, 20), 12)
    instruments.determine(
        desk,
        instruments.Determine(
            "edny-legal",
            petition,
            "granted_narrowed",
            "Enforced in part: the demand is relevant, but ICE already holds the criminal history.",
            ("home_address", "work_address"),
        ),
    )
    order = instruments.escalate(
        desk,
        instruments.Escalate(
            "edny-legal",
            petition,
            "Order to comply, narrowed to addresses.",
            return_date=datetime(2020, 5, 4, 17, tzinfo=NY),
        ),
    ).id
    _acknowledge(desk, clock, order, "nyc-doc-legal", date(2020, 4, 21))
    clock.at(date(2020, 4, 28), 11)
    instruments.determine(
        desk,
        instruments.Determine(
            "nyc-doc-legal",
            order,
            "complied",
            "A federal court order compels production of the ordered fields.",
            ("home_address", "work_address"),
        ),
    )


def _acknowledge(desk: Desk, clock: StoryClock, instrument_id: str, actor: str, day: date) -> None:
    clock.at(day, 10)
    instruments.acknowledge(desk, instruments.Acknowledge(actor, instrument_id))


def _answer(desk: Desk, clock: StoryClock, instrument_id: str, outcome: str, reason: str) -> None:
    clock.moment += timedelta(hours=2)
    instruments.determine(
        desk, instruments.Determine("nyc-doc-legal", instrument_id, outcome, reason)
    )

"""The bodies of the person routes: booking in, and a person's record as its holder sees it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, StrictBool, StringConstraints

from lexdesk.domain.persons import (
    Charge,
    ChargeStatus,
    Conviction,
    CustodyStatus,
    IdentifierScheme,
    Person,
)
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS
from lexdesk.entrypoints.api.schemas import (
    ONE_LINE,
    Answer,
    Day,
    Moment,
    Name,
    Short,
    StrictBody,
    one_line,
)
from lexdesk.services.persons import PERSON_FACTS

Offense = Annotated[
    str, StringConstraints(min_length=1, max_length=60, pattern=ONE_LINE), BeforeValidator(one_line)
]
OffenseClass = Annotated[
    str, StringConstraints(max_length=20, pattern=ONE_LINE), BeforeValidator(one_line)
]
Place = Annotated[
    str, StringConstraints(max_length=200, pattern=ONE_LINE), BeforeValidator(one_line)
]
RecordField = Annotated[
    str,
    StringConstraints(
        pattern="^(court_dates|home_address|work_address|bond_information|identity_documents"
        "|emergency_contacts)$"
    ),
]
Fact = Annotated[str, StringConstraints(pattern=f"^({'|'.join(PERSON_FACTS)})$")]
Disclosable = Annotated[str, StringConstraints(pattern=f"^({'|'.join(DISCLOSABLE_FIELDS)})$")]
RecordValue = Annotated[
    str, StringConstraints(max_length=2000, pattern=ONE_LINE), BeforeValidator(one_line)
]


class ChargeIn(StrictBody):
    offense: Offense = Field(description="Canonical code, e.g. 'NY PL 160.15'.")
    offense_class: OffenseClass
    charged_on: Day
    status: ChargeStatus = ChargeStatus.PENDING
    probable_cause_found: StrictBool = Field(
        False, description="A magistrate found probable cause on the charge."
    )

    def to_domain(self) -> Charge:
        return Charge(
            self.offense, self.offense_class, self.charged_on, self.status,
            self.probable_cause_found,
        )  # fmt: skip


class ConvictionIn(StrictBody):
    offense: Offense
    offense_class: OffenseClass
    convicted_on: Day
    sentence: Place = ""
    released_on: Day | None = None
    youthful_offender: StrictBool = Field(
        False, description="A youthful-offender adjudication: on the record, no conviction."
    )

    def to_domain(self) -> Conviction:
        return Conviction(
            self.offense, self.offense_class, self.convicted_on, self.sentence, self.released_on,
            self.youthful_offender,
        )  # fmt: skip


class BookBody(StrictBody):
    """A person booked into the custody of the signed-in user's own agency."""

    family_name: Name
    given_name: Name
    arrested_on: Day
    booked_at: Moment
    expected_release_at: Moment | None = None
    date_of_birth: Day | None = None
    place_of_birth: Place = ""
    citizenship: Short = ""
    identifiers: dict[IdentifierScheme, Short] = Field(default_factory=dict, max_length=5)
    charges: list[ChargeIn] = Field(default_factory=list, max_length=50)
    convictions: list[ConvictionIn] = Field(default_factory=list, max_length=100)
    facts: dict[Fact, StrictBool] = Field(default_factory=dict)
    record: dict[RecordField, RecordValue] = Field(default_factory=dict)
    public_information: list[Disclosable] = Field(
        default_factory=list,
        max_length=12,
        description="Fields whose content is already public (some laws let those go).",
    )


class LookupBody(StrictBody):
    """An identifier goes in a body, never in a URL, where logs and proxies would keep it."""

    scheme: IdentifierScheme
    value: Short = Field(min_length=1)


class ChargeOut(Answer):
    offense: str
    offense_class: str
    charged_on: date
    status: ChargeStatus
    probable_cause_found: bool


class ConvictionOut(Answer):
    offense: str
    offense_class: str
    convicted_on: date
    sentence: str
    released_on: date | None
    youthful_offender: bool


class CustodyOut(Answer):
    id: str
    agency: str
    booked_at: datetime
    arrested_on: date
    expected_release_at: datetime | None
    status: CustodyStatus
    charges: list[ChargeOut]
    left_at: datetime | None
    destination: str | None


class PersonOut(Answer):
    id: str
    owner_agency: str
    family_name: str
    given_name: str
    date_of_birth: date | None
    place_of_birth: str
    citizenship: str
    identifiers: dict[str, str]
    convictions: list[ConvictionOut]
    custodies: list[CustodyOut]
    facts: dict[str, bool]
    record: dict[str, str]
    public_information: list[str]


def person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id,
        owner_agency=person.owner_agency_id,
        family_name=person.family_name,
        given_name=person.given_name,
        date_of_birth=person.date_of_birth,
        place_of_birth=person.place_of_birth,
        citizenship=person.citizenship,
        identifiers={i.scheme.value: i.value for i in person.identifiers},
        convictions=[ConvictionOut(**vars(c)) for c in person.convictions],
        custodies=[
            CustodyOut(
                id=c.id,
                agency=c.agency_id,
                booked_at=c.booked_at,
                arrested_on=c.arrested_on,
                expected_release_at=c.expected_release_at,
                status=c.status,
                charges=[ChargeOut(**vars(charge)) for charge in c.charges],
                left_at=c.left_at,
                destination=c.destination,
            )
            for c in person.custodies
        ],
        facts=dict(person.facts),
        record=dict(person.record),
        public_information=list(person.public_information),
    )

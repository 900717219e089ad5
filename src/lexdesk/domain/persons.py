"""People in custody and what the custodial agency knows about them.

Personal data lives here and is held by the custodial agency; other agencies see only
what a determination disclosed to them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from lexdesk.domain.errors import InvalidInput

# Canonical offense codes: jurisdiction, code, section — "NY PL 160.15", "US 8 USC 1326";
# an attempt is written with the attempt section first, as New York does: "NY PL 110/125.25".
_OFFENSE = re.compile(r"^[A-Z]{2}( [A-Z0-9]+)+ [0-9][0-9A-Za-z./()-]*$")


class IdentifierScheme(StrEnum):
    BOOKING_NUMBER = "booking_number"
    NYSID = "nysid"
    STATE_ID = "state_id"
    FBI_NUMBER = "fbi_number"
    A_NUMBER = "a_number"


class CustodyStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    RELEASED = "released"
    TRANSFERRED = "transferred"


class ChargeStatus(StrEnum):
    PENDING = "pending"
    CONVICTED = "convicted"
    DISMISSED = "dismissed"
    SEALED = "sealed"


def level_of(offense_class: str) -> str | None:
    """``felony`` or ``misdemeanor`` from a class as the record writes it ("B felony",
    "class A misdemeanor"), or None where the class does not say."""
    text = offense_class.lower()
    if "felony" in text:
        return "felony"
    if "misdemeanor" in text:
        return "misdemeanor"
    return None


def check_offense(code: str) -> str:
    if not _OFFENSE.fullmatch(code):  # ``$`` alone would let a final line break through
        raise InvalidInput(
            f"offense code {code!r} is not canonical: write jurisdiction, code and section, "
            "e.g. 'NY PL 160.15', 'CA PC 187', 'US 8 USC 1326'"
        )
    return code


@dataclass(frozen=True)
class Identifier:
    scheme: IdentifierScheme
    value: str


@dataclass(frozen=True)
class Charge:
    offense: str
    offense_class: str
    charged_on: date
    status: ChargeStatus = ChargeStatus.PENDING
    #: A magistrate found probable cause on it (Cal. Gov. Code § 7282.5(b)).
    probable_cause_found: bool = False

    def __post_init__(self) -> None:
        check_offense(self.offense)


@dataclass(frozen=True)
class Conviction:
    offense: str
    offense_class: str
    convicted_on: date
    sentence: str = ""
    #: Release date from the sentence for this conviction, if it was served in custody.
    released_on: date | None = None
    #: A youthful-offender adjudication: on the record, but no conviction in law.
    youthful_offender: bool = False

    def __post_init__(self) -> None:
        check_offense(self.offense)
        if self.released_on and self.released_on < self.convicted_on:
            raise InvalidInput(
                f"release {self.released_on} precedes conviction {self.convicted_on} "
                f"for {self.offense}: check the dates"
            )


@dataclass
class Custody:
    id: str
    agency_id: str
    booked_at: datetime
    arrested_on: date
    expected_release_at: datetime | None = None
    status: CustodyStatus = CustodyStatus.IN_CUSTODY
    charges: list[Charge] = field(default_factory=list)
    #: When the person left this custody, and for a transfer to whom (an agency's code).
    left_at: datetime | None = None
    destination: str | None = None

    def leave(self, at: datetime, status: CustodyStatus, destination: str | None = None) -> None:
        if self.status is not CustodyStatus.IN_CUSTODY:
            raise InvalidInput(
                f"custody {self.id} already ended ({self.status.value}): nothing to release"
            )
        if at < self.booked_at:
            raise InvalidInput("the person cannot leave custody before being booked in")
        self.status, self.left_at, self.destination = status, at, destination

    def expect_release(self, at: datetime | None) -> None:
        if self.status is not CustodyStatus.IN_CUSTODY:
            raise InvalidInput(f"custody {self.id} has ended: its release date no longer moves")
        if at is not None and at < self.booked_at:
            raise InvalidInput("expected release precedes booking: check the dates")
        self.expected_release_at = at


@dataclass
class Person:
    """The subject of a case. Owned by the custodial agency that holds them."""

    id: str
    owner_agency_id: str
    family_name: str
    given_name: str
    date_of_birth: date | None = None
    place_of_birth: str = ""
    citizenship: str = ""
    identifiers: list[Identifier] = field(default_factory=list)
    convictions: list[Conviction] = field(default_factory=list)
    custodies: list[Custody] = field(default_factory=list)
    #: Further facts the rule engine asks about (TSDB match, prior removal, ...).
    facts: dict[str, bool] = field(default_factory=dict)
    #: Other record fields that an instrument may ask to be disclosed (home address, ...).
    record: dict[str, str] = field(default_factory=dict)
    #: Fields whose content is already public (Cal. Gov. Code § 7284.6(a)(1)(C)-(D)).
    public_information: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def current_custody(self) -> Custody | None:
        held = [c for c in self.custodies if c.status is CustodyStatus.IN_CUSTODY]
        return max(held, key=lambda c: c.booked_at) if held else None

    def held_custody(self) -> Custody:
        """The custody the person is in now, or a refusal saying they are not held."""
        custody = self.current_custody()
        if custody is None:
            raise InvalidInput(
                f"{self.display_name} is not in your custody now: book them in first"
            )
        return custody

    def book_again(self, custody: Custody) -> None:
        """A new stay: a re-arrest, a return. Only one stay is open at a time."""
        held = self.current_custody()
        if held is not None:
            raise InvalidInput(
                f"{self.display_name} is already in your custody (booked "
                f"{held.booked_at:%Y-%m-%d}): release or transfer them first"
            )
        self.custodies.append(custody)

    def identifier(self, scheme: IdentifierScheme) -> str | None:
        return next((i.value for i in self.identifiers if i.scheme is scheme), None)

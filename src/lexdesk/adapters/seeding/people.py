"""The synthetic people a jail books: who they are, what the record says of them, and how their
stay runs (booked, an expected release that may move, released or handed over).

A person's profile is what the rule packs read (the flags of ``domain.rules.request`` and the
convictions and charges): a handful of profiles, so that the evaluations of a run fall into
few shapes (``evaluations``). Dates are relative to the arrest, far from the look-back windows
the laws draw, so that one profile reads the same under the law whatever its dates."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lexdesk.adapters.seeding.chance import Weighted
from lexdesk.adapters.seeding.geography import Jail
from lexdesk.adapters.seeding.ids import IdMint
from lexdesk.adapters.seeding.names import birthplace, family_name, given_name, home_address
from lexdesk.domain.persons import (
    Charge,
    Conviction,
    Custody,
    CustodyStatus,
    Identifier,
    IdentifierScheme,
    Person,
)


@dataclass(frozen=True)
class Profile:
    weight: float
    facts: tuple[str, ...] = ()
    #: The pending charge is the state's felony (else its misdemeanor).
    felony: bool = False
    #: A conviction for the state's serious felony, three years before the arrest.
    prior: bool = False


PROFILES = (
    Profile(0.45),
    Profile(0.25, felony=True),
    Profile(0.12, felony=True, prior=True),
    Profile(0.08, facts=("final_removal_order", "prior_removal")),
    Profile(0.09, facts=("prior_removal", "illegal_reentry"), felony=True, prior=True),
    Profile(0.01, facts=("tsdb_match",), felony=True),
)
_PROFILE_DRAW = Weighted(PROFILES, [profile.weight for profile in PROFILES])
#: When the prior conviction and the release from its sentence fall, before the arrest.
PRIOR_CONVICTION = timedelta(days=1100)
PRIOR_RELEASE = timedelta(days=400)


@dataclass
class Stay:
    """How a person's stay runs: the expected release as it was set and moved, and when and
    how the person leaves (None: still held at the end of the record)."""

    custody: Custody
    #: (since when, the expected release then), oldest first; the first is the booking's.
    expected: list[tuple[datetime, datetime | None]]
    leaves_at: datetime | None = None
    release_reason: str = ""
    #: What moving the expected release was recorded with (``set_expected_release``).
    move_reason: str = "Expected release recalculated."
    destination: str | None = None
    transferred: bool = False
    moves: list[datetime] = field(default_factory=list)

    def expected_at(self, moment: datetime) -> datetime | None:
        found = self.expected[0][1]
        for since, value in self.expected:
            if since <= moment:
                found = value
        return found

    def at(self, moment: datetime) -> None:
        """Set the custody as it stood at ``moment``: the services read the person as they
        stand when they act (a due date, an evaluation, a release of fields)."""
        custody = self.custody
        custody.expected_release_at = self.expected_at(moment)
        if self.leaves_at is not None and moment >= self.leaves_at:
            custody.status = self.leaving_status
            custody.left_at, custody.destination = self.leaves_at, self.destination
        else:
            custody.status = CustodyStatus.IN_CUSTODY
            custody.left_at, custody.destination = None, None

    @property
    def leaving_status(self) -> CustodyStatus:
        return CustodyStatus.TRANSFERRED if self.transferred else CustodyStatus.RELEASED

    def settle(self) -> None:
        """The custody as it stands at the end of the record."""
        self.at(datetime.max.replace(tzinfo=self.custody.booked_at.tzinfo))


def book(
    rng: random.Random, mint: IdMint, jail: Jail, booked_at: datetime, arrested_on: date
) -> tuple[Person, Profile]:
    """A person booked into ``jail``, as ``services.persons.book_person`` records them."""
    profile = _PROFILE_DRAW.pick(rng)
    state = jail.state
    offense, level = state.felony if profile.felony else state.misdemeanor
    number = mint("per")
    custody = Custody(
        id=mint("cus"),
        agency_id=jail.agency.id,
        booked_at=booked_at,
        arrested_on=arrested_on,
        charges=[Charge(offense, level, arrested_on)],
    )
    convictions = []
    if profile.prior:
        serious, serious_level = state.serious
        convictions.append(
            Conviction(
                serious,
                serious_level,
                arrested_on - PRIOR_CONVICTION,
                "3 years",
                arrested_on - PRIOR_RELEASE,
            )
        )
    record = {"home_address": home_address(rng, state.code)} if rng.random() < 0.6 else {}
    born = arrested_on - timedelta(days=rng.randint(18 * 365, 65 * 365))
    person = Person(
        id=number,
        owner_agency_id=jail.agency.id,
        family_name=family_name(rng),
        given_name=given_name(rng),
        date_of_birth=born,
        place_of_birth=birthplace(rng),
        citizenship="unknown",
        identifiers=_identifiers(number, state.code),
        convictions=convictions,
        custodies=[custody],
        facts=dict.fromkeys(profile.facts, True),
        record=record,
    )
    return person, profile


def _identifiers(person_id: str, state: str) -> list[Identifier]:
    # The run's person counter makes each number unique within the jail (whose code is the
    # run's own, so no other run's numbers share it).
    serial = int(person_id.rsplit("-", 1)[1][6:], 16)
    found = [Identifier(IdentifierScheme.BOOKING_NUMBER, f"B{serial:09d}")]
    if state == "NY":
        letter = "ABCDEFGHJKLMNPQRSTUVWXYZ"[serial % 24]
        found.append(Identifier(IdentifierScheme.NYSID, f"{serial:08d}{letter}"))
    else:
        found.append(Identifier(IdentifierScheme.STATE_ID, f"{state}{serial:08d}"))
    return found

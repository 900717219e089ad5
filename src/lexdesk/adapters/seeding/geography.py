"""The map of a synthetic nation: which states hold how many jails under which rule pack, the
immigration field offices, U.S. Attorneys and courts that serve them, and how the load falls on
the jails (a few large, many small: Zipf's law, as jail populations are).

Every agency is one the application could have registered (``services.agencies``): a custodial
agency names a shipped rule pack, an immigration agency its component, and each has the
deadline policy of its state's time zone and calendar."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from lexdesk.adapters.seeding.names import place_name
from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.vocabulary import AgencyKind

#: How steeply the load falls from the largest jail to the smallest (Zipf's exponent).
ZIPF_EXPONENT = 1.07


@dataclass(frozen=True)
class State:
    code: str
    zone: str
    #: The rule pack its jails answer under (the federal layer is beneath each).
    pack: str
    #: Its share of the nation's jails.
    weight: float
    #: Offenses as the state's record writes them: (code, class) for a misdemeanor, a felony
    #: and the serious felony a prior conviction is for.
    misdemeanor: tuple[str, str]
    felony: tuple[str, str]
    serious: tuple[str, str]


STATES: tuple[State, ...] = (
    State("TX", "America/Chicago", "us-tx", 14.0, ("TX PC 31.03", "class B misdemeanor"),
          ("TX PC 22.02", "second degree felony"), ("TX PC 29.03", "first degree felony")),
    State("CA", "America/Los_Angeles", "us-ca", 12.0, ("CA PC 484", "misdemeanor"),
          ("CA PC 245", "felony"), ("CA PC 211", "felony")),
    State("FL", "America/New_York", "us-fl", 10.0, ("FL ST 812.014", "1st deg misdemeanor"),
          ("FL ST 784.021", "third degree felony"), ("FL ST 812.13", "first degree felony")),
    State("NY", "America/New_York", "us-ny", 5.0, ("NY PL 155.25", "A misdemeanor"),
          ("NY PL 120.05", "D felony"), ("NY PL 160.15", "B felony")),
    State("IL", "America/Chicago", "us-il", 4.0, ("IL ILCS 720/16-1", "class A misdemeanor"),
          ("IL ILCS 720/12-3.05", "class 3 felony"), ("IL ILCS 720/18-2", "class X felony")),
    State("TN", "America/Chicago", "us-tn", 3.0, ("TN TCA 39-14-103", "class A misdemeanor"),
          ("TN TCA 39-13-102", "class C felony"), ("TN TCA 39-13-402", "class B felony")),
    State("CO", "America/Denver", "us-co", 2.0, ("CO CRS 18-4-401", "misdemeanor"),
          ("CO CRS 18-3-203", "class 4 felony"), ("CO CRS 18-3-102", "class 1 felony")),
    State("OR", "America/Los_Angeles", "us-or", 1.5, ("OR ORS 164.043", "class C misdemeanor"),
          ("OR ORS 163.175", "class C felony"), ("OR ORS 164.415", "class A felony")),
    State("IA", "America/Chicago", "us-ia", 1.5, ("IA IC 714.2", "serious misdemeanor"),
          ("IA IC 708.2", "class D felony"), ("IA IC 711.2", "class B felony")),
)  # fmt: skip
NEW_YORK = next(state for state in STATES if state.code == "NY")
#: The city's own agencies, each one of a kind, with packs of their own (NYC law).
CITY_PACKS = (("us-ny-nyc-doc", "City Department of Correction"), ("us-ny-nyc-nypd", "City Police"))
_JAIL_KINDS = ("County Jail", "County Sheriff's Office", "City Police Department")


@dataclass(frozen=True)
class Jail:
    agency: Agency
    state: State
    #: The field office that files requests with it, and the district whose U.S. Attorney and
    #: court take its subpoenas further.
    office: str
    district: int


@dataclass(frozen=True)
class Nation:
    jails: tuple[Jail, ...]
    offices: tuple[Agency, ...]
    prosecutors: tuple[Agency, ...]
    courts: tuple[Agency, ...]
    #: Cumulative Zipf weights of ``jails``, for ``random.choices``.
    load: tuple[float, ...]

    @property
    def agencies(self) -> list[Agency]:
        jails = [jail.agency for jail in self.jails]
        return [*self.offices, *self.prosecutors, *self.courts, *jails]

    def pick_jail(self, rng: random.Random) -> Jail:
        return rng.choices(self.jails, cum_weights=self.load)[0]


@dataclass(frozen=True)
class Shares:
    """How many agencies of each kind make up ``total``."""

    offices: int
    prosecutors: int
    jails: int

    @classmethod
    def of(cls, total: int) -> Shares:
        # Roughly the nation's proportions: two dozen field offices and a U.S. Attorney and a
        # court per district for every few hundred jails.
        offices = max(1, round(total * 0.06))
        prosecutors = max(1, round(total * 0.04))
        return cls(offices, prosecutors, total - offices - 2 * prosecutors)


#: The fewest agencies that make a whole ladder: an office, a U.S. Attorney, a court, a jail.
MIN_AGENCIES = 4


def build_nation(total: int, tag: str, rng: random.Random) -> Nation:
    """``total`` agencies whose codes carry the run's ``tag`` (so no other run's collide)."""
    shares = Shares.of(total)
    offices = tuple(_office(n, tag, rng) for n in range(shares.offices))
    districts = range(shares.prosecutors)
    prosecutors = tuple(_district_agency(n, tag, AgencyKind.PROSECUTOR, rng) for n in districts)
    courts = tuple(_district_agency(n, tag, AgencyKind.COURT, rng) for n in districts)
    jails = _jails(shares.jails, tag, offices, shares.prosecutors, rng)
    ranks = list(range(1, len(jails) + 1))
    rng.shuffle(ranks)  # the largest jail is anywhere in the nation, not the first state's
    load = tuple(itertools.accumulate(1.0 / rank**ZIPF_EXPONENT for rank in ranks))
    return Nation(jails, offices, prosecutors, courts, load)


def _policy(state: State | None) -> dict[str, object]:
    if state is None:
        return DeadlinePolicy().to_json()
    return DeadlinePolicy(timezone=state.zone, state=state.code).to_json()


def _office(n: int, tag: str, rng: random.Random) -> Agency:
    return Agency(
        id=f"ero-{tag}-{n:03d}",
        name=f"Immigration Field Office, {place_name(rng)}",
        kind=AgencyKind.IMMIGRATION,
        jurisdiction="US",
        deadline_policy=_policy(None),
        component="ice",
    )


def _district_agency(n: int, tag: str, kind: AgencyKind, rng: random.Random) -> Agency:
    district = place_name(rng)
    if kind is AgencyKind.PROSECUTOR:
        code, name = f"usao-{tag}-{n:03d}", f"U.S. Attorney's Office, District of {district}"
    else:
        code, name = f"court-{tag}-{n:03d}", f"U.S. District Court, District of {district}"
    return Agency(id=code, name=name, kind=kind, jurisdiction="US", deadline_policy=_policy(None))


def _jails(
    count: int, tag: str, offices: tuple[Agency, ...], districts: int, rng: random.Random
) -> tuple[Jail, ...]:
    weights = [state.weight for state in STATES]
    made: list[tuple[Agency, State]] = []
    # The city's agencies first (when there is room): one of each, as there is one city.
    for n, (pack, name) in enumerate(CITY_PACKS[: max(0, count - len(STATES))]):
        city = f"{name}, {place_name(rng)}"
        made.append(
            (_jail_agency(f"nyc-{tag}-{n:03d}", city, NEW_YORK, pack, "US-NY-NYC"), NEW_YORK)
        )
    cities = len(made)
    for n in range(cities, count):
        # Every state has a jail before any has two; then the states fill by their weight.
        first = n - cities
        state = STATES[first] if first < len(STATES) else rng.choices(STATES, weights=weights)[0]
        code = f"{state.code.lower()}-jail-{tag}-{n:04d}"
        name = f"{place_name(rng)} {rng.choice(_JAIL_KINDS)}"
        made.append((_jail_agency(code, name, state, state.pack, f"US-{state.code}"), state))
    return tuple(
        Jail(agency, state, _serving(offices, state, n).id, _serving(range(districts), state, n))
        for n, (agency, state) in enumerate(made)
    )


def _jail_agency(code: str, name: str, state: State, pack: str, jurisdiction: str) -> Agency:
    return Agency(
        id=code,
        name=name,
        kind=AgencyKind.CUSTODIAL,
        jurisdiction=jurisdiction,
        rule_pack=pack,
        deadline_policy=_policy(state),
    )


T = TypeVar("T")


def _serving(areas: Sequence[T], state: State, jail: int) -> T:
    """Which of ``areas`` (field offices, districts) serves the ``jail``-th jail, in ``state``:
    the areas are dealt to the states in turn, largest state first, so that each state has one
    or more of its own (or, when there are fewer areas than states, shares one)."""
    where = STATES.index(state)
    own = [area for n, area in enumerate(areas) if n % len(STATES) == where]
    return own[jail % len(own)] if own else areas[where % len(areas)]

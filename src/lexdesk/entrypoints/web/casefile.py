"""A case as one agency may see it: the person (only the fields it may see), the chain of
instruments with every event and due date, and the actions the transition table and the
viewer's role allow now. Opening it puts the read of personal data on record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lexdesk.bootstrap import App
from lexdesk.domain.cases import Case
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import allowed_transitions
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, Outcome
from lexdesk.entrypoints.web.pages import PageRefused, Viewer, moment, require
from lexdesk.queries.lists import case_events
from lexdesk.services import audit

NO_SUCH_CASE = "There is no such case, or it is not one your agency takes part in."
#: What the page offers for each transition, and the permission it needs; ``lapse`` is the
#: sweeper's, never a button.
OFFERED = {
    "acknowledge": Permission.INSTRUMENT_ACKNOWLEDGE,
    "determine": Permission.INSTRUMENT_DETERMINE,
    "escalate": Permission.INSTRUMENT_ESCALATE,
    "withdraw": Permission.INSTRUMENT_WITHDRAW,
}


@dataclass(frozen=True)
class Step:
    instrument: Instrument
    events: list[dict[str, Any]]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class CaseFile:
    case: Case
    person_name: str
    person_fields: list[tuple[str, str]]
    steps: list[Step]


def takes_part(case: Case, agency_id: str) -> bool:
    return agency_id in (case.requesting_agency_id, case.custodial_agency_id) or any(
        i.party_of(agency_id) for i in case.instruments
    )


def load_case(built: App, seen: Viewer, case_id: str) -> tuple[Case, Person]:
    with built.desk.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None or not takes_part(case, seen.agency.id):
            raise PageRefused(404, NO_SUCH_CASE)
        person = uow.persons.get(case.person_id)
    if person is None:
        raise PageRefused(404, NO_SUCH_CASE)
    return case, person


def open_case(built: App, seen: Viewer, case_id: str) -> CaseFile:
    require(seen, Permission.CASE_READ)
    case, person = load_case(built, seen, case_id)
    with built.engine.connect() as db:
        events = case_events(db, case.id)
    fields = visible_fields(person, case, seen)
    audit.record_read(
        built.desk,
        actor=seen.username,
        agency=seen.agency.id,
        object_type="person",
        object_id=person.id,
        source=seen.source,
        detail={"case": case.id, "fields": [label for label, _ in fields]},
    )
    steps = [
        Step(i, [e for e in events if e["instrument_id"] == i.id], actions_now(i, seen))
        for i in case.instruments
    ]
    return CaseFile(case, person.display_name, fields, steps)


def actions_now(instrument: Instrument, seen: Viewer) -> tuple[str, ...]:
    """What this viewer may do to the instrument now: its agency's side of the transition
    table from the current status, and only for a role that acts."""
    party = instrument.party_of(seen.agency.id)
    names = {
        row.name
        for row in allowed_transitions(instrument.kind, instrument.status)
        if row.party is party
    }
    return tuple(name for name, needs in OFFERED.items() if name in names and seen.may(needs))


def released_to_others(case: Case) -> set[str]:
    """Fields the custodial agency released by a recorded determination in this case."""
    released: set[str] = set()
    for item in case.instruments:
        det = item.determination
        if item.kind in CUSTODIAN_ADDRESSED_KINDS and det and det.outcome is not Outcome.DECLINED:
            released.update(det.released_fields)
    return released


def visible_fields(person: Person, case: Case, seen: Viewer) -> list[tuple[str, str]]:
    """The custodian sees its whole record; the requesting agency sees how it identified the
    person and what was released to it; a U.S. Attorney or court sees the identifiers."""
    tz = seen.timezone
    custody = person.current_custody()
    every = {
        "release_date": moment(custody.expected_release_at if custody else None, tz),
        "custody_status": custody.status.value.replace("_", " ") if custody else "not in custody",
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "—",
        "place_of_birth": person.place_of_birth or "—",
        "citizenship_status": person.citizenship or "—",
        "criminal_history": "; ".join(
            f"{c.offense} ({c.offense_class}) on {c.convicted_on}" for c in person.convictions
        )
        or "none recorded",
        **person.record,
    }
    ids = [(i.scheme.value, i.value) for i in person.identifiers]
    if seen.agency.id == person.owner_agency_id:
        shown = sorted(every)
        charges = [
            ("charge", f"{c.offense} ({c.offense_class}), {c.status.value}")
            for c in (custody.charges if custody else [])
        ]
        return ids + charges + [(name, str(every[name])) for name in shown]
    if seen.agency.id == case.requesting_agency_id:
        return ids + [(f, str(every.get(f, "—"))) for f in sorted(released_to_others(case))]
    return ids

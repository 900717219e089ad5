"""The disclosure policy (``domain.visibility``) applied to what a unit of work holds: the view
of a case or an instrument that a reader is given, and the read model that the lists use,
stored again after every change to a case.

Every reader comes through here or through the read model: the API, the web and the command
line never decide for themselves what an agency may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lexdesk.domain.cases import Case
from lexdesk.domain.disclosure import field_value
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.persons import Person
from lexdesk.domain.visibility import (
    CaseView,
    InstrumentView,
    issuer_view,
    party_statuses,
    view_case,
    view_instrument,
)
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS
from lexdesk.services import notices
from lexdesk.services.context import Desk
from lexdesk.services.ports import UnitOfWork


def store(uow: UnitOfWork, case: Case, actor_agency_id: str = "") -> None:
    """Save the case, store what each party may now see of it, and tell each party what it
    may learn of the change (``services.notices``): all in the same unit of work, so the
    lists and the notifications change with the case or not at all. Raises
    ConcurrencyConflict (nothing stored) when an instrument changed meanwhile."""
    fresh = notices.fresh_events(case)
    uow.cases.save(case)
    releases = uow.releases.about(case.person_id)
    events = uow.cases.events(case.id)
    shown = {i.id: issuer_view(case, i, releases, events) for i in case.instruments}
    uow.cases.save_views(case, shown, party_statuses(case, releases, events))
    notices.announce(uow, case, fresh, releases, events, actor_agency_id)


def case_view(uow: UnitOfWork, agency_id: str, case: Case) -> CaseView:
    releases = uow.releases.about(case.person_id)
    events = uow.cases.events(case.id)
    if agency_id != case.custodial_agency_id:
        return view_case(agency_id, case, releases, events)
    person = uow.persons.get(case.person_id)
    name = person.display_name if person else ""
    record = holder_record(person) if person else []
    return view_case(agency_id, case, releases, events, person_name=name, person_record=record)


def instrument_view(
    uow: UnitOfWork, agency_id: str, case: Case, instrument: Instrument
) -> InstrumentView | None:
    releases = uow.releases.about(case.person_id)
    return view_instrument(agency_id, case, instrument, releases, uow.cases.events(case.id))


def dry_run(desk: Desk, make: Callable[[UnitOfWork], Instrument]) -> InstrumentView:
    """Run ``make`` (the very code of a verb) in a unit of work that is rolled back, and show
    the instrument it made as its issuer would see it: the review step before Send runs every
    check the verb makes and writes nothing."""
    with desk.uow() as uow:
        made = make(uow)
        case = uow.cases.of_instrument(made.id)
        assert case is not None, "a verb's instrument belongs to a case"
        view = instrument_view(uow, made.issuer_agency_id, case, made)
        uow.rollback()
    assert view is not None, "an issuer sees its own instrument"
    return view


def holder_record(person: Person) -> list[tuple[str, Any]]:
    """The custodian's own record of a person, field by field, for its own eyes."""
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    found: list[tuple[str, Any]] = [(i.scheme.value, i.value) for i in person.identifiers]
    found += [
        ("charge", f"{c.offense} ({c.offense_class}), {c.status.value}")
        for c in (custody.charges if custody else [])
    ]
    found += [(name, field_value(person, name)) for name in DISCLOSABLE_FIELDS]
    return found

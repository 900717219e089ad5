"""Escalation along the ladder, and the sweeper that lapses what was not answered in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.cases import Escalation
from lexdesk.domain.deadlines import RELEASE_DATE
from lexdesk.domain.errors import ConcurrencyConflict
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.limits import REFERENCE_MAX, within
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import InstrumentView
from lexdesk.domain.vocabulary import parse_actions
from lexdesk.services import audit, views
from lexdesk.services.context import Desk
from lexdesk.services.instrument_access import (
    due_for_addressee,
    load_for_actor,
    next_addressee,
    person_of,
    record_change,
    require_reason,
)
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class Escalate:
    actor: str
    instrument_id: str
    reason: str
    addressee: str | None = None
    actions: tuple[str, ...] = ()
    return_date: datetime | None = None
    reference: str = ""
    expected_version: int | None = None
    source: str = "cli"
    #: For a court order: whom the court orders the records produced to (default: the agency
    #: whose subpoena it enforces).
    produce_to: tuple[str, ...] = ()


@audit.records_denials("instrument.escalate", "instrument")
def escalate(desk: Desk, command: Escalate) -> Instrument:
    """Take an instrument to the next rung of the ladder, appending the new one to the case."""
    with desk.uow() as uow:
        child = _escalate(desk, uow, command)
        uow.commit()
    return child


def preview_escalation(desk: Desk, command: Escalate) -> InstrumentView:
    """Every check that escalating makes, and the new instrument as its issuer would see it,
    with nothing written: the review step before Send."""
    return views.dry_run(desk, lambda uow: _escalate(desk, uow, command))


def _escalate(desk: Desk, uow: UnitOfWork, command: Escalate) -> Instrument:
    reason = require_reason(command.reason, "an escalation")
    within(command.reference, REFERENCE_MAX, "the form, file or docket number")
    actions = parse_actions(command.actions) if command.actions else None
    now = desk.clock.now()
    loaded = load_for_actor(
        uow,
        command.actor,
        command.instrument_id,
        command.expected_version,
        Permission.INSTRUMENT_ESCALATE,
    )
    user, case, parent = loaded.user, loaded.case, loaded.instrument
    rung = case.escalation_rung(parent, seen=loaded.view.status)
    addressee = next_addressee(uow, case, rung.next_addressee, command.addressee)
    person = person_of(uow, case)
    due = due_for_addressee(desk, rung.target, addressee, now, person, command.return_date)
    child = case.escalate(
        parent,
        Escalation(
            new_id=new_id("ins"),
            addressee_agency_id=addressee.id,
            actions=actions,
            actor=user.username,
            at=now,
            reason=reason,
            due=due,
            reference=command.reference,
            produce_to=command.produce_to,
        ),
    )
    views.store(uow, case, user.agency_id)
    record_change(desk, uow, user, "instrument.escalate", child, command.source, parent=parent.id)
    return child


def lapse_overdue(desk: Desk, instrument_ids: list[str]) -> list[Instrument]:
    """Mark overdue instruments lapsed (the sweeper's verb). Each in its own unit of work, so one
    conflict does not hold back the rest; one already moved on by someone else is skipped.

    The reason names no date: a clock that ran from the release would tell it."""
    lapsed = []
    for instrument_id in instrument_ids:
        with desk.uow() as uow:
            case = uow.cases.of_instrument(instrument_id)
            if case is None:
                continue
            instrument, now = case.instrument(instrument_id), desk.clock.now()
            if not instrument.is_open or instrument.due_at is None or instrument.due_at > now:
                continue
            derived = instrument.due.derived_from if instrument.due else None
            instrument.apply(
                "lapse",
                actor=audit.SYSTEM,
                at=now,
                reason="the due time passed without an answer",
                changes={"derived_from": RELEASE_DATE} if derived else {},
            )
            case.close_if_settled()
            try:
                views.store(uow, case)
                record_change(desk, uow, None, "instrument.lapse", instrument, audit.SYSTEM)
                uow.commit()
            except ConcurrencyConflict:
                continue
            lapsed.append(instrument)
    return lapsed

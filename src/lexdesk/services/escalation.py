"""Escalation along the ladder, and the sweeper that lapses what was not answered in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.cases import Escalation
from lexdesk.domain.errors import ConcurrencyConflict
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.vocabulary import parse_actions
from lexdesk.services import audit
from lexdesk.services.context import Desk
from lexdesk.services.instrument_access import (
    due_for_addressee,
    load_for_actor,
    next_addressee,
    person_of,
    record_change,
    require_party,
)


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


@audit.records_denials("instrument.escalate", "instrument")
def escalate(desk: Desk, command: Escalate) -> Instrument:
    """Take an instrument to the next rung of the ladder, appending the new one to the case."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user, case, parent = load_for_actor(
            uow, command.actor, command.instrument_id, command.expected_version
        )
        rung = case.escalation_rung(parent)
        require_party(user, parent, rung.next_issuer)
        addressee = next_addressee(uow, case, rung.next_addressee, command.addressee)
        due = due_for_addressee(
            rung.target, addressee, now, person_of(uow, case), command.return_date
        )
        child = case.escalate(
            parent,
            Escalation(
                new_id=new_id("ins"),
                addressee_agency_id=addressee.id,
                actions=parse_actions(command.actions) if command.actions else None,
                actor=user.username,
                at=now,
                reason=command.reason,
                due=due,
                reference=command.reference,
            ),
        )
        uow.cases.save(case)
        record_change(uow, user, "instrument.escalate", child, command.source, parent=parent.id)
        uow.commit()
    return child


def lapse_overdue(desk: Desk, instrument_ids: list[str]) -> list[Instrument]:
    """Mark overdue instruments lapsed (the sweeper's verb). Each in its own unit of work, so one
    conflict does not hold back the rest; one already moved on by someone else is skipped."""
    lapsed = []
    for instrument_id in instrument_ids:
        with desk.uow() as uow:
            case = uow.cases.of_instrument(instrument_id)
            if case is None:
                continue
            instrument, now = case.instrument(instrument_id), desk.clock.now()
            if not instrument.is_open or instrument.due_at is None or instrument.due_at > now:
                continue
            instrument.apply(
                "lapse",
                actor="system",
                at=now,
                reason=f"due {instrument.due_at.isoformat()} passed",
            )
            try:
                uow.cases.save(case)
                record_change(uow, None, "instrument.lapse", instrument, "system")
                uow.commit()
            except ConcurrencyConflict:
                continue
            lapsed.append(instrument)
    return lapsed

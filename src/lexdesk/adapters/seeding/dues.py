"""Due dates as ``services.instrument_access.due_for_addressee`` computes them, as JSON the way
``DueDate.to_json`` writes them, and the issue and reschedule events that carry them, the way
``Instrument.issue`` and ``Instrument.reschedule`` record them.

Both of the application's functions spend more than a whole instrument's other rows:
``due_for_addressee`` reads the addressee's deadline policy from JSON twice a call, and
``to_json`` goes through ``dataclasses.asdict``'s deep copies. ``Dues`` keeps each agency's
policy read once and calls the same ``deadlines.due_for``; ``due_json`` builds the same
dictionary field by field. The first results of each run are compared with the application's
own functions, so a change there stops the run instead of going unnoticed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.calendar import BusinessCalendar, calendar_for
from lexdesk.domain.deadlines import DEFAULT_HOLD, DeadlinePolicy, DueDate, HoldBound, due_for
from lexdesk.domain.instruments import Instrument, InstrumentEvent
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind
from lexdesk.services.context import Desk
from lexdesk.services.instrument_access import due_for_addressee

#: How many dues of each rule are compared with ``DueDate.to_json``.
CHECKED_PER_RULE = 16
_checked: dict[str, int] = {}


#: How many due dates of each kind are compared with ``due_for_addressee``.
COMPUTED_CHECKS = 32


class DueDiffers(AssertionError):
    """What is computed or written here is no longer what the application does."""


@dataclass
class Dues:
    """``due_for_addressee``, with each agency's policy, zone and calendar read once."""

    desk: Desk
    _policies: dict[str, tuple[DeadlinePolicy, ZoneInfo, BusinessCalendar]] = field(
        default_factory=dict
    )
    _checked: dict[InstrumentKind, int] = field(default_factory=dict)

    def __call__(
        self,
        kind: InstrumentKind,
        addressee: Agency,
        issued_at: datetime,
        person: Person,
        return_date: datetime | None,
        now: datetime | None = None,
    ) -> DueDate | None:
        policy, zone, calendar = self._policy(addressee)
        custody = person.current_custody()
        moment = now or issued_at
        found = due_for(
            kind,
            issued_at=issued_at,
            policy=policy,
            calendar=calendar,
            release_eligible_at=custody.expected_release_at if custody else None,
            return_date=return_date,
            now=moment,
            hold=self._hold(addressee, zone, moment),
        )
        if self._checked.get(kind, 0) < COMPUTED_CHECKS:
            self._checked[kind] = self._checked.get(kind, 0) + 1
            expected = due_for_addressee(
                self.desk, kind, addressee, issued_at, person, return_date, now
            )
            if found != expected:
                raise DueDiffers(f"{kind.value} due to {addressee.id}: {found} != {expected}")
        return found

    def _policy(self, agency: Agency) -> tuple[DeadlinePolicy, ZoneInfo, BusinessCalendar]:
        found = self._policies.get(agency.id)
        if found is None:
            policy = DeadlinePolicy.from_json(agency.deadline_policy)
            found = (policy, ZoneInfo(policy.timezone), calendar_for(policy.state))
            self._policies[agency.id] = found
        return found

    def _hold(self, addressee: Agency, zone: ZoneInfo, now: datetime) -> HoldBound:
        """``instrument_access.hold_bound``: the addressee's law on the day."""
        if addressee.kind is not AgencyKind.CUSTODIAL or not addressee.rule_pack:
            return DEFAULT_HOLD
        return self.desk.rules.hold_bound(addressee.rule_pack, now.astimezone(zone).date())


def due_json(due: DueDate | None) -> dict[str, Any] | None:
    if due is None:
        return None
    found = {
        "due_at": due.due_at.isoformat(),
        "rule": due.rule,
        "start": due.start.isoformat(),
        "timezone": due.timezone,
        "amount": due.amount,
        "unit": due.unit,
        "local_time": due.local_time.isoformat() if due.local_time else None,
        "calendar": due.calendar,
        "skipped": [[day.isoformat(), reason] for day, reason in due.skipped],
        "citation": due.citation,
        "label": due.label,
        "source": due.source,
    }
    if _checked.get(due.rule, 0) < CHECKED_PER_RULE:
        _checked[due.rule] = _checked.get(due.rule, 0) + 1
        expected = due.to_json()
        if found != expected or list(found) != list(expected):
            raise DueDiffers(f"{found} != {expected}")
    return found


def issue(
    instrument: Instrument, *, actor: str, at: datetime, due: DueDate | None, reason: str
) -> None:
    """``Instrument.issue``: the ``issue`` transition, with the due date it set."""
    instrument.apply("issue", actor=actor, at=at, reason=reason, changes={"due": due_json(due)})
    instrument.issued_at = at
    instrument.due = due


def reschedule(instrument: Instrument, due: DueDate | None, *, at: datetime, reason: str) -> bool:
    """``Instrument.reschedule`` for a moved release: an event of its own, no status change;
    nothing when the due date stays."""
    if due == instrument.due:
        return False
    instrument.new_events.append(
        InstrumentEvent(
            instrument_id=instrument.id,
            case_id=instrument.case_id,
            transition="reschedule",
            from_status=instrument.status,
            to_status=instrument.status,
            actor="system",
            at=at,
            reason=reason,
            changes={"due": due_json(due), "cause": "release"},
        )
    )
    instrument.due = due
    return True

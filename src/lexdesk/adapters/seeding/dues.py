"""Due dates as ``services.instrument_access.due_for_addressee`` computes them.

The application's function reads the addressee's deadline policy from JSON twice a call, which
costs more than a whole instrument's other rows. ``Dues`` keeps each agency's policy read once
and calls the same ``deadlines.due_for``; the first results of each run are compared with the
application's own function, so a change there stops the run instead of going unnoticed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from lexdesk.domain.agencies import Agency
from lexdesk.domain.calendar import BusinessCalendar, calendar_for
from lexdesk.domain.deadlines import DEFAULT_HOLD, DeadlinePolicy, DueDate, HoldBound, due_for
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind
from lexdesk.services.context import Desk
from lexdesk.services.instrument_access import due_for_addressee

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

"""What each party may see of a seeded case, as ``services.views.store`` stores it for the lists:
each instrument's status and due time as its issuer sees them, and the case's status as each
party sees it.

``domain.visibility`` computes these while it builds whole views (events, answers, sentences
explaining due dates), which costs more than the rest of a story. This is the same policy
reduced to the two things stored (its rules are quoted where they are used), and a run checks
it against ``domain.visibility`` itself on its first stories and on a sample of the rest: a
difference stops the run."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from lexdesk.domain.cases import Case
from lexdesk.domain.deadlines import RELEASE_DATE, DueDate
from lexdesk.domain.disclosure import Release
from lexdesk.domain.instruments import Instrument, InstrumentEvent
from lexdesk.domain.lifecycle import is_settled
from lexdesk.domain.visibility import (
    CUSTODY_TRANSITIONS,
    Ledger,
    issuer_view,
    party_statuses,
    sees_instrument,
)
from lexdesk.domain.vocabulary import InstrumentStatus

IssuerViews = dict[str, tuple[InstrumentStatus, datetime | None]]
#: Stories checked against ``domain.visibility`` at the start of a run, then one in this many.
CHECK_FIRST, CHECK_ONE_IN = 200, 500


class ReadModelDiffers(AssertionError):
    """The reduced policy said otherwise than ``domain.visibility``: a bug to fix here."""


class ReadModel:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.stories = 0

    def of(
        self, case: Case, releases: Sequence[Release], events: Sequence[InstrumentEvent]
    ) -> tuple[IssuerViews, dict[str, str]]:
        seen = _Seen(case, releases, events)
        issuers = {i.id: seen.by_issuer(i) for i in case.instruments}
        parties = seen.parties()
        self.stories += 1
        if self.stories <= CHECK_FIRST or self._rng.randrange(CHECK_ONE_IN) == 0:
            _check(case, releases, events, issuers, parties)
        return issuers, parties


def _check(
    case: Case,
    releases: Sequence[Release],
    events: Sequence[InstrumentEvent],
    issuers: IssuerViews,
    parties: dict[str, str],
) -> None:
    expected = {i.id: issuer_view(case, i, releases, events) for i in case.instruments}
    statuses = {a: s.value for a, s in party_statuses(case, releases, events).items()}
    if expected != issuers or statuses != parties:
        raise ReadModelDiffers(
            f"case {case.id}: issuers {issuers} != {expected} or parties {parties} != {statuses}"
        )


class _Seen:
    def __init__(
        self, case: Case, releases: Sequence[Release], events: Sequence[InstrumentEvent]
    ) -> None:
        self.case = case
        self.ledger = Ledger(tuple(releases))
        self.events: dict[str, list[InstrumentEvent]] = {}
        for event in events:
            self.events.setdefault(event.instrument_id, []).append(event)

    def by_issuer(self, instrument: Instrument) -> tuple[InstrumentStatus, datetime | None]:
        agency = instrument.issuer_agency_id
        if agency == self.case.custodial_agency_id:
            return instrument.status, instrument.due_at
        known = _due_known(agency, instrument.due, self.ledger)
        return self.status(agency, instrument), instrument.due_at if known else None

    def parties(self) -> dict[str, str]:
        """Closed for an agency once every instrument it sees is settled as it sees it; the
        holder sees them all, every other agency the chains it takes part in."""
        case = self.case
        agencies = {case.custodial_agency_id, case.requesting_agency_id}
        agencies |= {
            a for i in case.instruments for a in (i.issuer_agency_id, i.addressee_agency_id)
        }
        found = {}
        for agency in sorted(agencies):
            holder = agency == case.custodial_agency_id
            shown = [i for i in case.instruments if holder or sees_instrument(agency, case, i)]
            settled = bool(shown) and all(is_settled(i.kind, self.status(agency, i)) for i in shown)
            found[agency] = "closed" if settled else "open"
        return found

    def status(self, agency: str, instrument: Instrument) -> InstrumentStatus:
        """The holder sees the status; anyone else sees it without the transitions the
        person's leaving set off (``moot``, a lapse of a clock that ran from the release)
        until it is told of the custody after they happened."""
        if agency == self.case.custodial_agency_id:
            return instrument.status
        status: InstrumentStatus | None = None
        hidden_into: dict[InstrumentStatus, InstrumentStatus | None] = {}
        for event in self.events.get(instrument.id, ()):
            if _custody_derived(event) and not self.ledger.told_of_custody_since(agency, event.at):
                if event.to_status is not event.from_status:
                    hidden_into[event.to_status] = status
                continue
            hidden_into.pop(event.to_status, None)
            status = event.to_status
        return hidden_into.get(instrument.status) or instrument.status


def _custody_derived(event: InstrumentEvent) -> bool:
    if event.transition == "reschedule":
        # A clock moved by a recorded service tells of the service, not of the custody.
        return bool(event.changes.get("cause", "release") == "release")
    if event.transition in CUSTODY_TRANSITIONS:
        return True
    return event.transition == "lapse" and event.changes.get("derived_from") == RELEASE_DATE


def _due_known(agency: str, due: DueDate | None, ledger: Ledger) -> bool:
    """A due time computed from the release date is shown only to an agency to which that
    very release date was released."""
    if due is None or due.derived_from != RELEASE_DATE:
        return True
    told = ledger.value_of(agency, RELEASE_DATE)
    if not isinstance(told, str):
        return False
    try:
        return datetime.fromisoformat(told) == due.start
    except ValueError:
        return False

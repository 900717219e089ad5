"""A case as one agency may see it (the disclosure policy's ``CaseView``): a summary (the
parties in the order the matter reached them, the current step, the next deadline), the
person, and the chain of instruments as a timeline, the current one open and the rest folded,
each with its events, due date and the actions that the transition table, the viewer's role
and side allow from the status the viewer sees. Opening it puts the read on record
(``services.disclosures``). Everything here is read from the view: a party, a status or a date
the policy does not show the agency is not in it to summarise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from lexdesk.bootstrap import App
from lexdesk.domain.errors import NotFound
from lexdesk.domain.lifecycle import allowed_transitions, is_settled
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import CaseView, InstrumentView
from lexdesk.domain.vocabulary import InstrumentKind
from lexdesk.entrypoints.web.pages import PageRefused, Viewer, require
from lexdesk.services import disclosures, production
from lexdesk.services.authorization import may

NEVER = datetime.max.replace(tzinfo=UTC)
NO_SUCH_CASE = "There is no such case, or it is not one your agency takes part in."
#: What the page offers for each transition, and the permission it needs; ``lapse`` and
#: ``moot`` are the system's, never a button.
OFFERED = {
    "acknowledge": Permission.INSTRUMENT_ACKNOWLEDGE,
    "determine": Permission.INSTRUMENT_DETERMINE,
    "escalate": Permission.INSTRUMENT_ESCALATE,
    "withdraw": Permission.INSTRUMENT_WITHDRAW,
}
#: The parties after the two that open a case, by the kind of instrument that brings them in.
JOINED_BY = (
    (InstrumentKind.REFERRAL, "U.S. Attorney"),
    (InstrumentKind.ENFORCEMENT_PETITION, "Court"),
)


@dataclass(frozen=True)
class Step:
    view: InstrumentView
    actions: tuple[str, ...]
    #: Shown unfolded: the current instrument (the rest of the timeline is folded).
    current: bool = False

    @property
    def open(self) -> bool:
        return not is_settled(self.view.instrument.kind, self.view.status)


@dataclass(frozen=True)
class Party:
    role: str
    agency_id: str
    name: str


@dataclass(frozen=True)
class Summary:
    """The case at a glance, from what the viewer's agency may see of it."""

    parties: tuple[Party, ...]
    current: Step | None
    #: The open instrument due soonest whose due date the agency may learn.
    deadline: InstrumentView | None
    #: An open instrument is due on the person's release, a date the agency is not told.
    due_on_release: bool


@dataclass(frozen=True)
class CaseFile:
    view: CaseView
    steps: list[Step]
    summary: Summary
    #: Agency names by id, for the parties of each instrument.
    names: dict[str, str]
    #: The productions the agency holds, and the answers it may still produce.
    productions: production.CaseProductions = field(
        default_factory=lambda: production.CaseProductions({}, frozenset())
    )

    def name(self, agency_id: str) -> str:
        return self.names.get(agency_id, agency_id)


def open_case(built: App, seen: Viewer, case_id: str) -> CaseFile:
    require(seen, Permission.CASE_READ)
    try:
        view = disclosures.visible_case(built.desk, seen.principal, case_id, seen.source)
    except NotFound:
        raise PageRefused(404, NO_SUCH_CASE) from None
    with built.desk.uow() as uow:
        names = {a.id: a.name for a in uow.agencies.list()}
    steps = [Step(i, actions_now(i, seen)) for i in view.instruments]
    current = current_step(steps)
    steps = [Step(s.view, s.actions, s is current) for s in steps]
    current = next((s for s in steps if s.current), None)
    made = production.of_case(built.desk, seen.principal, case_id)
    return CaseFile(view, steps, summarise(view, steps, current, names), names, made)


def actions_now(view: InstrumentView, seen: Viewer) -> tuple[str, ...]:
    """What this viewer may do to the instrument now: the transitions from the status it sees
    that its role and side may take."""
    names = {row.name for row in allowed_transitions(view.instrument.kind, view.status)}
    return tuple(
        name
        for name, needs in OFFERED.items()
        if name in names and may(seen.principal, needs, view.instrument)
    )


def current_step(steps: list[Step]) -> Step | None:
    """The step the matter stands at: the latest instrument (the case keeps them in the order
    they were filed) that the viewer may act on, else the latest still open as the viewer sees
    it, else the latest of all."""
    for wanted in (lambda s: bool(s.actions), lambda s: s.open, lambda s: True):
        found = [s for s in steps if wanted(s)]
        if found:
            return found[-1]
    return None


def summarise(
    view: CaseView, steps: list[Step], current: Step | None, names: dict[str, str]
) -> Summary:
    case = view.case
    parties = [
        Party("Requester", case.requesting_agency_id, _name(names, case.requesting_agency_id)),
        Party("Custodian", case.custodial_agency_id, _name(names, case.custodial_agency_id)),
    ]
    for kind, role in JOINED_BY:
        joined = [s.view.instrument for s in steps if s.view.instrument.kind is kind]
        for agency_id in dict.fromkeys(i.addressee_agency_id for i in joined):
            parties.append(Party(role, agency_id, _name(names, agency_id)))
    still_open = [s.view for s in steps if s.open]
    dated = [v for v in still_open if v.due_at is not None]
    deadline = min(dated, key=lambda v: v.due_at or NEVER) if dated else None
    on_release = any("due_at" in v.withheld for v in still_open)
    return Summary(tuple(parties), current, deadline, on_release)


def _name(names: dict[str, str], agency_id: str) -> str:
    return names.get(agency_id, agency_id)

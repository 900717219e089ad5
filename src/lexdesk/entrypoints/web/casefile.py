"""A case as one agency may see it (the disclosure policy's ``CaseView``): the person, the
chain of instruments with their events and due dates, and the actions that the transition
table, the viewer's role and side allow from the status the viewer sees. Opening it puts the
read on record (``services.disclosures``)."""

from __future__ import annotations

from dataclasses import dataclass

from lexdesk.bootstrap import App
from lexdesk.domain.errors import NotFound
from lexdesk.domain.lifecycle import allowed_transitions
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import CaseView, InstrumentView
from lexdesk.entrypoints.web.pages import PageRefused, Viewer, require
from lexdesk.services import disclosures
from lexdesk.services.authorization import may

NO_SUCH_CASE = "There is no such case, or it is not one your agency takes part in."
#: What the page offers for each transition, and the permission it needs; ``lapse`` and
#: ``moot`` are the system's, never a button.
OFFERED = {
    "acknowledge": Permission.INSTRUMENT_ACKNOWLEDGE,
    "determine": Permission.INSTRUMENT_DETERMINE,
    "escalate": Permission.INSTRUMENT_ESCALATE,
    "withdraw": Permission.INSTRUMENT_WITHDRAW,
}


@dataclass(frozen=True)
class Step:
    view: InstrumentView
    actions: tuple[str, ...]


@dataclass(frozen=True)
class CaseFile:
    view: CaseView
    steps: list[Step]


def open_case(built: App, seen: Viewer, case_id: str) -> CaseFile:
    require(seen, Permission.CASE_READ)
    try:
        view = disclosures.visible_case(built.desk, seen.principal, case_id, seen.source)
    except NotFound:
        raise PageRefused(404, NO_SUCH_CASE) from None
    return CaseFile(view, [Step(i, actions_now(i, seen)) for i in view.instruments])


def actions_now(view: InstrumentView, seen: Viewer) -> tuple[str, ...]:
    """What this viewer may do to the instrument now: the transitions from the status it sees
    that its role and side may take."""
    names = {row.name for row in allowed_transitions(view.instrument.kind, view.status)}
    return tuple(
        name
        for name, needs in OFFERED.items()
        if name in names and may(seen.principal, needs, view.instrument)
    )

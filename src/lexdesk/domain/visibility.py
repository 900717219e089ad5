"""The disclosure policy: what one agency may learn of a case. Every reader asks it: the API's
answers and lists, the web's pages, the command line's output, and the lists' stored
read-model (``issuer_view``, ``party_statuses``). Nothing computes visibility on its own.

The rules (docs/adr/0006-disclosure-ledger.md; the table in docs/domain.md):

- **Which instruments.** An agency sees every instrument of a chain (an instrument, those it
  was escalated from and those escalated from it) once it is a party to one of them: the
  record travels up the ladder with the matter, and the agency that started it follows it to
  the end. Another chain in the same case stays with its own parties.
- **The holder sees all.** The custodial agency of the case holds the person: it sees its own
  record, clocks, evaluations and overrides in full.
- **Everyone else sees only what was released to it** (``domain.disclosure``): the fields of
  the releases that reached it, as they stood when released. The person is known to it by the
  identifier its requester gave.
- **Derived facts are facts.** A due date computed from the release date is shown only to an
  agency to which that very release date was released; otherwise the instrument is "due on
  release". A transition that the release of the person set off (``moot``; the lapse of a
  clock that ran from the release; a clock moved with the release) is shown only to an agency
  told of the custody after it happened; until then the instrument keeps the status it had.
- **Outcomes, not inferences.** A counterparty sees each requested action's answer and the
  citations that justify what was performed; the evaluation (rules, labels, conditions, the
  facts they read) and any override stay with the holder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.answers import LAWFUL_TO_PERFORM
from lexdesk.domain.cases import Case, CaseStatus
from lexdesk.domain.deadlines import RELEASE_DATE, DueDate
from lexdesk.domain.disclosure import Release
from lexdesk.domain.instruments import Determination, Instrument, InstrumentEvent
from lexdesk.domain.lifecycle import is_settled
from lexdesk.domain.views import (
    WHO_SEES,
    Answer,
    CaseView,
    DeterminationView,
    EventView,
    InstrumentView,
    Seen,
)
from lexdesk.domain.vocabulary import CUSTODIAN_ADDRESSED_KINDS, InstrumentStatus

__all__ = [
    "WHO_SEES",
    "Answer",
    "CaseView",
    "DeterminationView",
    "EventView",
    "InstrumentView",
    "Ledger",
    "Seen",
    "issuer_view",
    "party_statuses",
    "takes_part",
    "view_case",
    "view_instrument",
]

#: Transitions that the person's leaving custody (or a moved release) sets off.
CUSTODY_TRANSITIONS = frozenset({"moot", "reschedule"})
CUSTODY_FIELDS = frozenset({"custody_status", RELEASE_DATE})
DUE_ON_RELEASE = (
    "Due on the person's release: the release date was not released to your agency, and "
    "neither is what is computed from it."
)
WITHHELD_DUE = "derived from the release date, which was not released to your agency"
WITHHELD_EVALUATION = (
    "the evaluation (rules, conditions and the facts they read) stays with the answering "
    "agency; see answers for each action's answer and citations"
)


@dataclass(frozen=True)
class Ledger:
    """The releases about one person, to whomever they were made."""

    releases: tuple[Release, ...] = ()

    def to(self, agency_id: str) -> list[Release]:
        return [r for r in self.releases if r.reaches(agency_id)]

    def value_of(self, agency_id: str, name: str) -> Any | None:
        """The value of ``name`` as last released to the agency, or None."""
        found = [r for r in self.to(agency_id) if name in r.fields]
        return max(found, key=lambda r: r.at).fields[name] if found else None

    def fields_to(self, agency_id: str) -> dict[str, Any]:
        """Every field released to the agency, each as last released."""
        shown: dict[str, Any] = {}
        for release in sorted(self.to(agency_id), key=lambda r: r.at):
            shown.update(release.fields)
        return shown

    def told_of_custody_since(self, agency_id: str, moment: datetime) -> bool:
        return any(r.at >= moment and CUSTODY_FIELDS & set(r.fields) for r in self.to(agency_id))


def chain_of(case: Case, instrument: Instrument) -> list[Instrument]:
    """The instrument, those it was escalated from and those escalated from it."""
    by_id = {i.id: i for i in case.instruments}
    chain, cursor = [instrument], instrument
    while cursor.parent_id and cursor.parent_id in by_id:
        cursor = by_id[cursor.parent_id]
        chain.append(cursor)
    frontier = [instrument.id]
    while frontier:
        children = [i for i in case.instruments if i.parent_id in frontier]
        chain.extend(children)
        frontier = [i.id for i in children]
    return chain


def sees_instrument(agency_id: str, case: Case, instrument: Instrument) -> bool:
    return any(i.party_of(agency_id) is not None for i in chain_of(case, instrument))


def takes_part(agency_id: str, case: Case) -> bool:
    return agency_id == case.custodial_agency_id or any(
        i.party_of(agency_id) is not None for i in case.instruments
    )


def view_case(
    agency_id: str,
    case: Case,
    releases: Iterable[Release] = (),
    events: Sequence[InstrumentEvent] = (),
    *,
    person_name: str = "",
    person_record: Sequence[tuple[str, Any]] = (),
) -> CaseView:
    """Everything ``agency_id`` may learn of ``case``. ``person_name`` and ``person_record``
    are the holder's own record, shown to the holder alone."""
    ledger = Ledger(tuple(releases))
    holder = agency_id == case.custodial_agency_id
    shown = tuple(
        _view(agency_id, holder, i, ledger, [e for e in events if e.instrument_id == i.id])
        for i in case.instruments
        if holder or sees_instrument(agency_id, case, i)
    )
    if holder:
        label, fields = person_name, tuple(person_record)
    else:
        label, fields = case.subject, tuple(ledger.fields_to(agency_id).items())
    return CaseView(case, agency_id, holder, _case_status(shown), shown, label, fields)


def view_instrument(
    agency_id: str,
    case: Case,
    instrument: Instrument,
    releases: Iterable[Release] = (),
    events: Sequence[InstrumentEvent] = (),
) -> InstrumentView | None:
    """One instrument as ``agency_id`` may see it, or None when it may not see it at all."""
    holder = agency_id == case.custodial_agency_id
    if not holder and not sees_instrument(agency_id, case, instrument):
        return None
    mine = [e for e in events if e.instrument_id == instrument.id]
    return _view(agency_id, holder, instrument, Ledger(tuple(releases)), mine)


def issuer_view(
    case: Case,
    instrument: Instrument,
    releases: Iterable[Release],
    events: Sequence[InstrumentEvent],
) -> tuple[InstrumentStatus, datetime | None]:
    """What the instrument's issuer sees of its status and due date: the lists' read model."""
    view = view_instrument(instrument.issuer_agency_id, case, instrument, releases, events)
    assert view is not None  # an issuer always sees its own instrument
    return view.status, view.due_at


def party_statuses(
    case: Case, releases: Iterable[Release], events: Sequence[InstrumentEvent]
) -> dict[str, CaseStatus]:
    """The case's status as each agency that takes part in it sees it: the lists' read model."""
    agencies = {case.custodial_agency_id, case.requesting_agency_id}
    agencies |= {a for i in case.instruments for a in (i.issuer_agency_id, i.addressee_agency_id)}
    kept = tuple(releases)
    return {a: view_case(a, case, kept, events).status for a in sorted(agencies)}


def _case_status(shown: tuple[InstrumentView, ...]) -> CaseStatus:
    """Closed once every instrument the agency sees is settled as it sees it: an instrument
    whose end it may not learn of keeps the case open for it, and instruments outside its view
    are no part of its case."""
    settled = bool(shown) and all(is_settled(v.instrument.kind, v.status) for v in shown)
    return CaseStatus.CLOSED if settled else CaseStatus.OPEN


def _view(
    agency_id: str,
    holder: bool,
    instrument: Instrument,
    ledger: Ledger,
    events: Sequence[InstrumentEvent],
) -> InstrumentView:
    if holder:
        shown_events = tuple(_event(e, e.from_status, e.changes) for e in events)
        det = _determination(instrument, holder=True)
        return InstrumentView(
            instrument,
            instrument.status,
            instrument.due,
            instrument.due.explain() if instrument.due else None,
            det,
            shown_events,
            version=instrument.version,
        )
    due_known = _due_known(agency_id, instrument.due, ledger)
    withheld: dict[str, str] = {}
    if not due_known:
        withheld["due_at"] = WITHHELD_DUE
    if instrument.determination and instrument.determination.evaluation:
        withheld["evaluation"] = WITHHELD_EVALUATION
    status, shown_events, hidden = _replay(agency_id, instrument, ledger, events, due_known)
    due = instrument.due if due_known else None
    explained = (due.explain() if due else None) if due_known else DUE_ON_RELEASE
    det = _determination(instrument, holder=False)
    version = instrument.version - hidden
    return InstrumentView(instrument, status, due, explained, det, shown_events, withheld, version)


def _due_known(agency_id: str, due: DueDate | None, ledger: Ledger) -> bool:
    if due is None or due.derived_from != RELEASE_DATE:
        return True
    told = ledger.value_of(agency_id, RELEASE_DATE)
    if not isinstance(told, str):
        return False
    try:
        return datetime.fromisoformat(told) == due.start
    except ValueError:
        return False


def _replay(
    agency_id: str,
    instrument: Instrument,
    ledger: Ledger,
    events: Sequence[InstrumentEvent],
    due_known: bool,
) -> tuple[InstrumentStatus, tuple[EventView, ...], int]:
    """The instrument's history with the transitions this agency may not learn of left out,
    the status it sees, and how many changes were left out (each change is one event and one
    version of the instrument). The status is read from the instrument itself, not from the
    history, so that a history read a moment later (another transaction committed between
    the two reads) cannot move it: only a hidden transition into the current status makes
    the agency see the status before it."""
    status: InstrumentStatus | None = None
    shown: list[EventView] = []
    hidden_into: dict[InstrumentStatus, InstrumentStatus | None] = {}
    hidden = 0
    for event in events:
        if _custody_derived(event) and not ledger.told_of_custody_since(agency_id, event.at):
            hidden += 1
            if event.to_status is not event.from_status:
                hidden_into[event.to_status] = status
            continue
        hidden_into.pop(event.to_status, None)
        changes = dict(event.changes)
        if "due" in changes and not due_known:
            changes["due"] = None
        changes.pop("override", None)
        shown.append(_event(event, status, changes))
        status = event.to_status
    seen = hidden_into.get(instrument.status) or instrument.status
    return seen, tuple(shown), hidden


def _custody_derived(event: InstrumentEvent) -> bool:
    if event.transition == "reschedule":
        # A clock moved by a recorded service tells of the service, not of the custody.
        return bool(event.changes.get("cause", "release") == "release")
    if event.transition in CUSTODY_TRANSITIONS:
        return True
    return event.transition == "lapse" and event.changes.get("derived_from") == RELEASE_DATE


def _event(
    event: InstrumentEvent, from_status: InstrumentStatus | None, changes: dict[str, Any]
) -> EventView:
    return EventView(
        event.instrument_id,
        event.transition,
        from_status.value if from_status else None,
        event.to_status.value,
        event.actor,
        event.at,
        event.reason,
        changes,
    )


def _determination(instrument: Instrument, *, holder: bool) -> DeterminationView | None:
    det = instrument.determination
    if det is None:
        return None
    return DeterminationView(
        outcome=det.outcome.value,
        reason=det.reason,
        released_fields=det.released_fields,
        actions_performed=det.actions_performed,
        determined_by=det.determined_by,
        determined_at=det.determined_at,
        answers=_answers(instrument, det),
        evaluation=det.evaluation if holder else None,
        override=det.override.to_json() if holder and det.override else None,
    )


def _answers(instrument: Instrument, det: Determination) -> tuple[Answer, ...]:
    """Each requested action's answer, with the citation of the rule that let a performed one
    be performed (none where counsel overrode the evaluation: no rule justified it)."""
    if instrument.kind not in CUSTODIAN_ADDRESSED_KINDS:
        return ()
    evaluated, found = det.evaluated_actions, []
    for action in instrument.actions:
        done = action in det.actions_performed
        decided = evaluated.get(action) or {}
        lawful = decided.get("status") in LAWFUL_TO_PERFORM
        cited = _clean((decided.get("citation"),)) if done and lawful else ()
        found.append(Answer(action, "performed" if done else "declined", cited))
    return tuple(found)


def _clean(citations: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(c) for c in citations if c))

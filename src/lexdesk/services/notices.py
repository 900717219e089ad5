"""What each agency is told of a change, written to the outbox in the change's own unit of
work: a crash loses both or neither (the transactional outbox, docs/adr/0014-worker-outbox.md).

Each agency is told only what the disclosure policy lets it learn: an agency that may not learn
of a transition (a request mooted by a release it was not told of) is not told of it at all, and
the due time in an event is the one that agency may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from lexdesk.domain.cases import Case
from lexdesk.domain.disclosure import Release
from lexdesk.domain.instruments import Instrument, InstrumentEvent
from lexdesk.domain.notifications import Due, Event, Topic
from lexdesk.domain.views import InstrumentView
from lexdesk.domain.visibility import view_instrument
from lexdesk.domain.vocabulary import InstrumentStatus
from lexdesk.services.ports import UnitOfWork

ANSWERS = frozenset(
    {
        InstrumentStatus.COMPLIED,
        InstrumentStatus.PARTIALLY_COMPLIED,
        InstrumentStatus.DECLINED,
        InstrumentStatus.CONTESTED,
        InstrumentStatus.GRANTED,
        InstrumentStatus.GRANTED_NARROWED,
        InstrumentStatus.DENIED,
    }
)


def announce(
    uow: UnitOfWork,
    case: Case,
    fresh: Sequence[InstrumentEvent],
    releases: Iterable[Release],
    events: Sequence[InstrumentEvent],
    actor_agency_id: str = "",
) -> None:
    """Write one outbox event per agency that may learn of each fresh transition."""
    if not fresh:
        return
    releases = tuple(releases)
    names: dict[str, str] = {}
    for instrument in case.instruments:
        mine = [e for e in fresh if e.instrument_id == instrument.id]
        if not mine:
            continue
        latest = mine[-1]
        for agency_id in _parties(case, instrument):
            if agency_id == actor_agency_id:
                continue
            view = view_instrument(agency_id, case, instrument, releases, events)
            if view is None or not _learns_of(view, latest):
                continue
            uow.outbox.add_event(_event(uow, names, case, instrument, view, agency_id, latest))


def _parties(case: Case, instrument: Instrument) -> list[str]:
    """Every agency of the case that may see the instrument; the policy decides what."""
    agencies = {case.custodial_agency_id}
    for each in case.instruments:
        agencies.update({each.issuer_agency_id, each.addressee_agency_id})
    return sorted(agencies)


def _learns_of(view: InstrumentView, event: InstrumentEvent) -> bool:
    """Whether the transition is in the history the agency may see."""
    return any(e.at == event.at and e.transition == event.transition for e in view.events)


def _event(
    uow: UnitOfWork,
    names: dict[str, str],
    case: Case,
    instrument: Instrument,
    view: InstrumentView,
    agency_id: str,
    latest: InstrumentEvent,
) -> Event:
    issuer = _name(uow, names, instrument.issuer_agency_id)
    addressee = _name(uow, names, instrument.addressee_agency_id)
    what = f"{kind_phrase(instrument.kind.value)} {instrument.reference}".strip()
    if latest.transition == "issue" and agency_id == instrument.addressee_agency_id:
        topic, subject = Topic.RECEIVED, f"Received: {what} from {issuer}"
    elif view.status in ANSWERS and agency_id == instrument.issuer_agency_id:
        topic, subject = Topic.ANSWERED, f"Answered by {addressee}: {what} — {_words(view)}"
    else:
        topic, subject = Topic.CHANGED, f"{what} ({issuer} to {addressee}) is now {_words(view)}"
    data = {
        "instrument_id": instrument.id,
        "case_id": case.id,
        "kind": instrument.kind.value,
        "reference": instrument.reference,
        "status": view.status.value,
        "transition": latest.transition,
        "issuer": instrument.issuer_agency_id,
        "addressee": instrument.addressee_agency_id,
    }
    if view.due_at is not None and instrument.is_open:
        data["due_at"] = view.due_at.isoformat()
    return Event(
        key=f"instrument/{instrument.id}/{view.version}/{agency_id}",
        agency_id=agency_id,
        topic=topic,
        subject=subject,
        link=f"/instruments/{instrument.id}",
        at=latest.at,
        instrument_id=instrument.id,
        data=data,
    )


def reminder(due: Due, before: str, at: datetime, *, release_near: bool = False) -> Event:
    """That something the addressee must act on is due (or the person's release is near),
    keyed by the due time, so that a moved deadline reminds again and a sweep run twice does
    not. Only the addressee is reminded: a requester is never told a time it may not see."""
    what = f"{kind_phrase(due.kind)} {due.reference}".strip()
    subject = (
        f"Release near: {what} — the expected release is within {before}"
        if release_near
        else f"Due within {before}: {what}"
    )
    data = {
        "instrument_id": due.instrument_id,
        "kind": due.kind,
        "reference": due.reference,
        "status": due.status,
        "due_at": due.at.isoformat(),
        "reminder": "release" if release_near else "due",
    }
    return Event(
        key=f"reminder/{due.instrument_id}/{due.addressee_agency_id}/{due.at.isoformat()}/"
        + ("release/" if release_near else "")
        + before,
        agency_id=due.addressee_agency_id,
        topic=Topic.REMINDER,
        subject=subject,
        link=f"/instruments/{due.instrument_id}",
        at=at,
        instrument_id=due.instrument_id,
        data=data,
    )


def kind_phrase(kind: str) -> str:
    """``administrative_subpoena`` -> ``Administrative subpoena``."""
    return kind.replace("_", " ").capitalize()


def _words(view: InstrumentView) -> str:
    return view.status.value.replace("_", " ")


def _name(uow: UnitOfWork, names: dict[str, str], agency_id: str) -> str:
    if agency_id not in names:
        found = uow.agencies.get(agency_id)
        names[agency_id] = found.name if found else agency_id
    return names[agency_id]


def fresh_events(case: Case) -> list[InstrumentEvent]:
    """The transitions made to the case in this unit of work, not yet stored."""
    return [e for i in case.instruments for e in i.new_events]


__all__ = ["announce", "fresh_events", "kind_phrase", "reminder"]

"""Productions: the records an answer released, bound, Bates-numbered and signed by the agency
that produced them (``domain.production``; docs/adr/0020-productions.md).

``make`` is the custodian's act: it freezes what the production holds (the answer's ledger
entry and the records attached to the answer so far), takes the next range of the agency's
Bates numbers, and tells the recipients. ``render`` prints a signed copy for the producer or a
recipient, every copy with the same pages and numbers. No one else may make or read one: not
the court that ordered it, not the U.S. Attorney who asked the court.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lexdesk.domain.cases import Case
from lexdesk.domain.disclosure import Release
from lexdesk.domain.documents import TITLES, DocumentKind, new_code
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.notifications import Event, Topic
from lexdesk.domain.permissions import Permission
from lexdesk.domain.production import Exhibit, Production, prefix_of, release_of
from lexdesk.domain.rules import phrasebook
from lexdesk.services import audit
from lexdesk.services.accounts import Principal
from lexdesk.services.attachments import blobs_of
from lexdesk.services.authorization import authorize, may
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.documents import (
    Rendered,
    Unsigned,
    agency_name,
    letterhead_of,
    person_name,
    press_of,
    sign_and_keep,
    when,
)
from lexdesk.services.ports import BlobStore, UnitOfWork


def make(desk: Desk, reader: Principal, instrument_id: str, *, source: str) -> Production:
    """Produce what the answer to the instrument released; the production already made, if
    there is one (making it twice is not two productions). A refusal is on record too."""
    try:
        return _make(desk, reader, instrument_id, source)
    except LexdeskError as refusal:
        audit.record_refusal(
            desk, refusal, username=reader.username, agency=reader.agency_id,
            action="production.make", object_id=instrument_id, source=source, detail={},
        )  # fmt: skip
        raise


def _make(desk: Desk, reader: Principal, instrument_id: str, source: str) -> Production:
    press = press_of(desk)
    authorize(reader, Permission.INSTRUMENT_DETERMINE)
    now = desk.clock.now()
    with desk.uow() as uow:
        case, release = _released(uow, reader, instrument_id)
        if reader.agency_id != release.custodian_agency_id:
            raise NotPermitted("only the agency that released the records produces them")
        made = uow.documents.production_of(instrument_id)
        if made is not None:
            return made
        attached = _attached(uow, instrument_id)
        prefix = prefix_of(reader.agency_id)
        first = uow.documents.last_bates(prefix) + 1
        draft = Production(
            new_id("prd"), instrument_id, release.id, reader.agency_id, release.recipients,
            prefix, first, first, tuple(a.id for a in attached), reader.username, now,
        )  # fmt: skip
        exhibits = _exhibits(blobs_of(desk), uow, draft)
        _, pages = press.produce(
            content(uow, case, release, draft, new_code()), exhibits, prefix, first
        )
        made = dataclasses.replace(draft, last=first + pages - 1)
        uow.documents.add_production(made)
        for agency_id in made.recipients:
            uow.outbox.add_event(_told(uow, made, agency_id))
        actor, behalf = audit_actor(desk, reader.username)
        audit.record(
            uow,
            actor=actor,
            agency=reader.agency_id,
            action="production.make",
            object_type="production",
            object_id=made.id,
            source=source,
            detail={
                "via": reader.via,
                "instrument": instrument_id,
                "release": release.id,
                "recipients": list(made.recipients),
                "bates": [made.first, made.last, made.bates_prefix],
                "exhibits": {e.attachment_id: e.sha256 for e in exhibits},
                **behalf,
            },
        )
        uow.commit()
    return made


def render(desk: Desk, reader: Principal, instrument_id: str, *, source: str) -> Rendered:
    """A signed copy of the production, for its producer or one of its recipients."""
    press = press_of(desk)
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        made = uow.documents.production_of(instrument_id)
        if made is None or not made.may_hold(reader.agency_id):
            raise NotFound("production", instrument_id)
        case = uow.cases.of_instrument(instrument_id)
        release = _release_by_id(uow, case, made.release_id) if case else None
        if case is None or release is None:
            raise NotFound("production", instrument_id)
        code = new_code()
        facts = content(uow, case, release, made, code)
        pdf, pages = press.produce(
            facts, _exhibits(blobs_of(desk), uow, made), made.bates_prefix, made.first
        )
        if pages != made.pages:
            raise RuntimeError(f"production {made.id} printed {pages} pages, not {made.pages}")
        unsigned = Unsigned(
            instrument_id, DocumentKind.PRODUCTION, made.producer_agency_id, code, pdf,
            facts["signer"]["name"],
        )  # fmt: skip
        copy = sign_and_keep(desk, uow, reader, unsigned, source, production=made.id)
        uow.commit()
    return copy


def production_of(desk: Desk, reader: Principal, instrument_id: str) -> Production | None:
    """The instrument's production, if there is one and the reader's agency may hold it."""
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        made = uow.documents.production_of(instrument_id)
    return made if made is not None and made.may_hold(reader.agency_id) else None


@dataclass(frozen=True)
class CaseProductions:
    """A case's productions as one agency may know of them, for its page."""

    #: The productions the agency holds, by instrument.
    held: dict[str, Production]
    #: The instruments whose answer the agency released records by and has not produced yet.
    producible: frozenset[str]


def of_case(desk: Desk, reader: Principal, case_id: str) -> CaseProductions:
    with desk.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            return CaseProductions({}, frozenset())
        releases = uow.releases.about(case.person_id)
        held: dict[str, Production] = {}
        producible = set()
        for instrument in case.instruments:
            made = uow.documents.production_of(instrument.id)
            if made is not None and made.may_hold(reader.agency_id):
                held[instrument.id] = made
            release = release_of(releases, instrument.id)
            if made is None and release and release.custodian_agency_id == reader.agency_id:
                producible.add(instrument.id)
    may_produce = may(reader, Permission.INSTRUMENT_DETERMINE)
    return CaseProductions(held, frozenset(producible) if may_produce else frozenset())


def _released(uow: UnitOfWork, reader: Principal, instrument_id: str) -> tuple[Case, Release]:
    case = uow.cases.of_instrument(instrument_id)
    if case is None or (
        case.custodial_agency_id != reader.agency_id
        and not any(
            reader.agency_id in (i.issuer_agency_id, i.addressee_agency_id)
            for i in case.instruments
        )
    ):
        raise NotFound("instrument", instrument_id)
    release = release_of(uow.releases.about(case.person_id), instrument_id)
    if release is None:
        raise InvalidInput(
            f"the answer to {instrument_id} released no records: there is nothing to produce"
        )
    return case, release


def _release_by_id(uow: UnitOfWork, case: Case, release_id: str) -> Release | None:
    return next((r for r in uow.releases.about(case.person_id) if r.id == release_id), None)


def _attached(uow: UnitOfWork, instrument_id: str) -> list[Any]:
    return [a for a in uow.documents.attachments_of(instrument_id) if a.on.value == "answer"]


def _exhibits(blobs: BlobStore, uow: UnitOfWork, made: Production) -> list[Exhibit]:
    found = []
    for attachment_id in made.exhibits:
        a = uow.documents.attachment(attachment_id)
        if a is None:
            raise NotFound("attachment", attachment_id)
        data = b"".join(blobs.read(a.sha256))
        found.append(Exhibit(a.id, a.filename, a.media_type, a.sha256, data))
    return found


def content(
    uow: UnitOfWork, case: Case, release: Release, made: Production, code: str
) -> dict[str, Any]:
    """What the production says, as plain data for the template (``adapters.binder``)."""
    instrument = case.instrument(release.instrument_id)
    det = instrument.determination
    rules = release.basis.get("rules", {})
    return {
        "kind": DocumentKind.PRODUCTION.value,
        "title": TITLES[DocumentKind.PRODUCTION],
        "code": code,
        "signer": letterhead_of(uow, made.producer_agency_id),
        "recipients": [agency_name(uow, a) for a in made.recipients],
        "instrument": {
            "id": instrument.id,
            "kind": TITLES[DocumentKind(instrument.kind.value)],
            "reference": instrument.reference,
            "issued_at": when(instrument.issued_at),
            "from": agency_name(uow, instrument.issuer_agency_id),
        },
        "answer": {
            "outcome": det.outcome.value.replace("_", " ") if det else "",
            "determined_at": when(det.determined_at) if det else "",
            "determined_by": person_name(uow, det.determined_by) if det else "",
        },
        "subject": case.subject,
        "released_at": when(release.at),
        "override": bool(release.basis.get("override")),
        "released": [
            {
                "label": _label(name),
                "value": shown(value),
                "citation": (rules.get(name) or {}).get("citation") or "",
            }
            for name, value in release.fields.items()
        ],
        "made_by": person_name(uow, made.made_by),
        "bates": {"first": "", "last": ""},
    }


def _label(name: str) -> str:
    """ "Release date", for the field ``release_date``."""
    words = phrasebook.without_article(phrasebook.field(name))
    return words[:1].upper() + words[1:]


def shown(value: Any) -> str:
    """A released value as the paper prints it."""
    if value is None or value == "" or value == []:
        return "not on record"
    if isinstance(value, list):
        return "\n".join(_conviction(v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _conviction(c: dict[str, Any]) -> str:
    said = f"{c.get('offense')} ({c.get('offense_class')}), convicted {c.get('convicted_on')}"
    if c.get("sentence"):
        said += f"; sentence: {c['sentence']}"
    if c.get("released_on"):
        said += f"; released {c['released_on']}"
    return said


def _told(uow: UnitOfWork, made: Production, agency_id: str) -> Event:
    """A recipient is told the production is ready: ids and numbers, never the records."""
    producer = agency_name(uow, made.producer_agency_id)
    return Event(
        key=f"production/{made.id}/{agency_id}",
        agency_id=agency_id,
        topic=Topic.ANSWERED,
        subject=f"Records produced by {producer}: Bates {made.bates_range}",
        link=f"/instruments/{made.instrument_id}",
        at=made.at,
        instrument_id=made.instrument_id,
        data={
            "instrument_id": made.instrument_id,
            "production_id": made.id,
            "producer": made.producer_agency_id,
            "bates_first": str(made.first),
            "bates_last": str(made.last),
        },
    )

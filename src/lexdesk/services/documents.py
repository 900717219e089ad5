"""Documents: render an instrument or its answer as a signed PDF for one reader, and verify a
document for anyone (docs/adr/0018-documents.md).

What goes on the paper is what the disclosure policy shows (``services.views``): a reader's
own view, or, for the custodial agency that holds the person, the view of the instrument's
issuer, so that the custodian's copy is the very paper the other side receives and carries
nothing the custodian alone knows (its record, a release date it did not release, the
evaluation). The content is plain data; ``adapters.press`` lays it out and signs it.

A verification tells whoever asks whether a document is the one the desk issued (its SHA-256),
an altered copy of one (it names a code the desk issued, its bytes differ) or unknown; which
agency issued it, when, of what kind, and whether the instrument still binds: nothing about
the person. Every render and every verification is audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lexdesk.domain.cases import Case
from lexdesk.domain.documents import (
    DETAINER_HOLD,
    DETAINER_NOTICE,
    SUBPOENA_AUTHORITY,
    TITLES,
    DocumentKind,
    DocumentRecord,
    Result,
    Standing,
    Verdict,
    kind_of,
    new_code,
    parse_code,
    standing_of,
)
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.visibility import InstrumentView, issuer_view
from lexdesk.domain.vocabulary import InstrumentKind, Warrant, disclosed_field
from lexdesk.services import audit, signing, views
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.ports import DocumentPress, UnitOfWork

#: Who a verification names in the audit trail when no one signed in.
ANONYMOUS = "anonymous"

WARRANTS = {
    Warrant.NONE: "No warrant accompanies this request.",
    Warrant.ADMINISTRATIVE: (
        "An administrative warrant (Form I-200 or I-205), signed by an immigration officer, "
        "accompanies this request. It is not a warrant signed by a judge."
    ),
    Warrant.JUDICIAL: "A warrant signed by a judge accompanies this request.",
}
ACTIONS = {
    "hold": "Maintain custody of the subject for up to 48 hours beyond the time of release",
    "notify_release": "Notify the Department as early as practicable before the subject's release",
    "transfer": "Transfer the subject to the Department's custody at release",
}


@dataclass(frozen=True)
class Rendered:
    record: DocumentRecord
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"{self.record.kind.value}-{self.record.subject_id}-{self.record.code}.pdf"


def press_of(desk: Desk) -> DocumentPress:
    if desk.press is None:
        raise InvalidInput("this desk makes no documents: it was built without a press")
    return desk.press


def render(
    desk: Desk, reader: Principal, instrument_id: str, *, answer: bool = False, source: str
) -> Rendered:
    """The instrument (or, with ``answer``, its answer letter) as a signed PDF for the
    reader's agency; kept as a record (hash and code) and audited, or nothing is kept."""
    press = press_of(desk)
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        case = uow.cases.of_instrument(instrument_id)
        if case is None:
            raise NotFound("instrument", instrument_id)
        instrument = case.instrument(instrument_id)
        own = views.instrument_view(uow, reader.agency_id, case, instrument)
        if own is None:
            raise NotFound("instrument", instrument_id)
        view = paper_view(uow, reader.agency_id, case, own)
        if not answer and instrument.awaits_confirmation:
            raise InvalidInput(
                f"{instrument_id} was recorded from paper by its recipient and its issuer has not "
                "confirmed it: its paper is the scan attached, and the desk signs nothing in the "
                "issuer's name"
            )
        if answer and view.determination is None:
            raise InvalidInput(
                f"instrument {instrument_id} has no answer yet: render the instrument itself"
            )
        kind = kind_of(instrument.kind, answer)
        signer_id = instrument.addressee_agency_id if answer else instrument.issuer_agency_id
        code = new_code()
        facts = content(uow, case, view, kind, code)
        made = sign_and_keep(
            desk, uow, reader, Unsigned(instrument_id, kind, signer_id, code, press.render(facts),
                                        facts["signer"]["name"]), source,
        )  # fmt: skip
        uow.commit()
    return made


@dataclass(frozen=True)
class Unsigned:
    """A document printed for one reader, before its signer's key signs it."""

    instrument_id: str | None
    kind: DocumentKind
    signer_id: str
    code: str
    pdf: bytes
    signer_name: str
    published_report_id: str | None = None


def sign_and_keep(
    desk: Desk,
    uow: UnitOfWork,
    reader: Principal | None,
    document: Unsigned,
    source: str,
    **detail: str,
) -> Rendered:
    """Sign the document with its signer's key and keep its record (hash and code, never the
    bytes), audited, in the caller's unit of work. ``reader`` None: a public document, made
    by the desk for everyone (a published report)."""
    press = press_of(desk)
    now = desk.clock.now()
    agency_id = reader.agency_id if reader else document.signer_id
    username = reader.username if reader else audit.SYSTEM
    key = signing.agency_key(uow, press, document.signer_id, now)
    ca = signing.ca_key(uow, press, now)
    pdf = press.sign(document.pdf, key, ca, document.code, document.signer_name)
    record = DocumentRecord(
        id=new_id("doc"),
        code=document.code,
        instrument_id=document.instrument_id,
        kind=document.kind,
        issuer_agency_id=document.signer_id,
        rendered_for=agency_id,
        rendered_by=username,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_at=now,
        key_id=key.id,
        published_report_id=document.published_report_id,
    )
    uow.documents.add(record)
    actor, behalf = audit_actor(desk, username)
    of = (
        {"instrument": document.instrument_id}
        if document.instrument_id
        else {"report": document.published_report_id or ""}
    )
    audit.record(
        uow,
        actor=actor,
        agency=agency_id,
        action="document.render",
        object_type="document",
        object_id=record.id,
        source=source,
        detail={
            "via": reader.via if reader else "public",
            **of,
            "kind": document.kind.value,
            **detail,
            "sha256": record.sha256,
            "key": key.id,
            "code": document.code,
            **behalf,
        },
    )
    return Rendered(record, pdf)


def paper_view(uow: UnitOfWork, agency_id: str, case: Case, own: InstrumentView) -> InstrumentView:
    """The view a document is rendered from: the reader's own, or for the holder the view of
    the instrument's issuer (what the other side is shown, never more than the holder sees)."""
    instrument = own.instrument
    if agency_id != case.custodial_agency_id or instrument.issuer_agency_id == agency_id:
        return own
    theirs = views.instrument_view(uow, instrument.issuer_agency_id, case, instrument)
    assert theirs is not None, "an issuer sees its own instrument"
    return theirs


def content(
    uow: UnitOfWork, case: Case, view: InstrumentView, kind: DocumentKind, code: str
) -> dict[str, Any]:
    """What the document says, as plain data for the templates (``adapters.press``)."""
    instrument = view.instrument
    answer = kind is DocumentKind.ANSWER_LETTER
    signer_id = instrument.addressee_agency_id if answer else instrument.issuer_agency_id
    other_id = instrument.issuer_agency_id if answer else instrument.addressee_agency_id
    records = [f for f in (disclosed_field(a) for a in instrument.actions) if f]
    physical = [a for a in instrument.actions if not disclosed_field(a)]
    parent = case.instrument(instrument.parent_id) if instrument.parent_id else None
    facts: dict[str, Any] = {
        "kind": kind.value,
        "instrument_kind": instrument.kind.value,
        "title": TITLES[kind],
        "code": code,
        "signer": letterhead_of(uow, signer_id),
        "recipient": letterhead_of(uow, other_id),
        "instrument": {
            "id": instrument.id,
            "reference": instrument.reference,
            "issued_at": when(instrument.issued_at),
            "kind": TITLES[DocumentKind(instrument.kind.value)],
            "from": agency_name(uow, instrument.issuer_agency_id),
            "to": agency_name(uow, instrument.addressee_agency_id),
        },
        "subject": case.subject,
        "case_id": case.id,
        "warrant": instrument.warrant.value,
        "warrant_text": WARRANTS[instrument.warrant],
        "actions": [{"action": a, "text": ACTIONS.get(a, a)} for a in physical],
        "records": [r.replace("_", " ") for r in records],
        "due": when(view.due_at) if view.due_at else None,
        "due_explained": view.due_explained or "",
        "officer": _officer(uow, view),
        "authority": SUBPOENA_AUTHORITY,
        "hold_text": DETAINER_HOLD,
        "notice_text": DETAINER_NOTICE,
        "produce_to": [agency_name(uow, a) for a in instrument.produce_to],
        "parent": (
            {
                "id": parent.id,
                "kind": TITLES[DocumentKind(parent.kind.value)],
                "reference": parent.reference,
                "issued_at": when(parent.issued_at),
            }
            if parent
            else None
        ),
        "answer": _answer(uow, view) if answer else None,
        "service": []
        if answer
        else [
            {
                "certificate": served.certificate(
                    TITLES[kind].lower(), agency_name(uow, instrument.addressee_agency_id)
                ),
                "served_by": served.served_by,
                "note": served.note,
            }
            for served in uow.documents.services_of(instrument.id)
        ],
        "ruling": _answer(uow, view)
        if instrument.kind is InstrumentKind.ENFORCEMENT_PETITION and view.determination
        else None,
    }
    return facts


def _answer(uow: UnitOfWork, view: InstrumentView) -> dict[str, Any] | None:
    det = view.determination
    if det is None:
        return None
    return {
        "outcome": det.outcome.replace("_", " "),
        "reason": det.reason,
        "determined_by": person_name(uow, det.determined_by),
        "determined_at": when(det.determined_at),
        "answers": [
            {
                "action": a.action.replace("disclose:", "disclose ").replace("_", " "),
                "answer": a.answer,
                "citations": list(a.citations),
            }
            for a in det.answers
        ],
        "released": [f.replace("_", " ") for f in det.released_fields],
        "released_to": [agency_name(uow, a) for a in view.instrument.produce_to]
        if det.released_fields
        else [],
    }


def _officer(uow: UnitOfWork, view: InstrumentView) -> str:
    """Who issued the instrument: the actor of the first event its reader may see."""
    actors = [e.actor for e in view.events if e.actor and e.actor != "system"]
    return person_name(uow, actors[0]) if actors else ""


def person_name(uow: UnitOfWork, username: str) -> str:
    user = uow.users.by_username(username)
    return user.display_name if user else username


def agency_name(uow: UnitOfWork, agency_id: str) -> str:
    found = uow.agencies.get(agency_id)
    return found.name if found else agency_id


def letterhead_of(uow: UnitOfWork, agency_id: str) -> dict[str, Any]:
    head = uow.documents.letterhead(agency_id)
    return {
        "id": agency_id,
        "name": agency_name(uow, agency_id),
        "address": head.address if head else "",
        "seal_png": head.seal_png if head else None,
    }


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def verify_file(desk: Desk, data: bytes, *, source: str, actor: str = ANONYMOUS) -> Verdict:
    """Whether the PDF in hand is a document the desk issued, byte for byte. Bytes that are
    not a readable PDF are refused (InvalidInput), and the refusal is on record too."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _verify_file(desk, data, digest, source=source, actor=actor)
    except InvalidInput as refusal:
        _refused(desk, actor, source, refusal, {"by": "file", "sha256": digest})
        raise


def _refused(
    desk: Desk, actor: str, source: str, refusal: InvalidInput, detail: dict[str, Any]
) -> None:
    audit.record_alone(
        desk,
        actor=actor,
        agency="",
        action="document.verify",
        object_type="document",
        object_id="",
        outcome="failure",
        source=source,
        detail={"result": "refused", "reason": str(refusal), **detail},
    )


def _verify_file(desk: Desk, data: bytes, digest: str, *, source: str, actor: str) -> Verdict:
    with desk.uow() as uow:
        record = uow.documents.by_sha256(digest)
        if record is not None:
            verdict = _verdict(uow, record, Result.AUTHENTIC, "file")
        else:
            claimed = press_of(desk).claimed_code(data)
            found = uow.documents.by_code(claimed) if claimed else None
            if found is None:
                verdict = Verdict(Result.UNKNOWN, code=claimed, by="file")
            else:
                verdict = _verdict(uow, found, Result.ALTERED, "file")
        _audit(uow, verdict, actor, source, {"sha256": digest, "bytes": len(data)})
        uow.commit()
    return verdict


def verify_code(desk: Desk, text: str, *, source: str, actor: str = ANONYMOUS) -> Verdict:
    """Whether the desk issued a document with this code, and what it was: the reader
    compares it with the paper in hand."""
    try:
        code = parse_code(text)
    except InvalidInput as refusal:
        _refused(desk, actor, source, refusal, {"by": "code"})
        raise
    with desk.uow() as uow:
        record = uow.documents.by_code(code)
        verdict = (
            _verdict(uow, record, Result.AUTHENTIC, "code")
            if record
            else Verdict(Result.UNKNOWN, code=code, by="code")
        )
        _audit(uow, verdict, actor, source, {})
        uow.commit()
    return verdict


def _verdict(uow: UnitOfWork, record: DocumentRecord, result: Result, by: str) -> Verdict:
    """The verdict, with the instrument's standing as its issuer sees it: a transition the
    issuer may not learn of (the person left custody) is not told to a stranger either. A
    report's edition stands until a later edition corrects it."""
    standing = None
    if record.published_report_id:
        standing = _edition_standing(uow, record.published_report_id)
    case = uow.cases.of_instrument(record.instrument_id) if record.instrument_id else None
    if case is not None and record.instrument_id:
        instrument = case.instrument(record.instrument_id)
        releases = uow.releases.about(case.person_id)
        status, _ = issuer_view(case, instrument, releases, uow.cases.events(case.id))
        standing = standing_of(status)
    return Verdict(
        result,
        code=record.code,
        kind=record.kind,
        issuer_agency_id=record.issuer_agency_id,
        issuer_name=agency_name(uow, record.issuer_agency_id),
        issued_at=record.created_at,
        standing=standing,
        by=by,
    )


def _edition_standing(uow: UnitOfWork, published_id: str) -> Standing | None:
    edition = uow.reports.get(published_id)
    if edition is None:
        return None
    latest = uow.reports.latest(edition.report_id, edition.agency_id, edition.period)
    current = latest is None or latest.edition == edition.edition
    return Standing.PUBLISHED if current else Standing.CORRECTED


def _audit(
    uow: UnitOfWork, verdict: Verdict, actor: str, source: str, detail: dict[str, Any]
) -> None:
    audit.record(
        uow,
        actor=actor,
        agency="",
        action="document.verify",
        object_type="document",
        object_id=verdict.code or "",
        outcome="success" if verdict.result is Result.AUTHENTIC else "failure",
        source=source,
        detail={"result": verdict.result.value, "by": verdict.by, **detail},
    )

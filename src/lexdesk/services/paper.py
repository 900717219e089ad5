"""Paper intake: an addressee records an instrument it received on paper from an agency that
does not use the desk yet (docs/adr/0021-paper-intake.md).

The custodian enters what the paper says (kind, issuer, date, the person as the paper names
them, the demands, a return or compliance date) and attaches the scan; the instrument joins the
case between the two agencies like one issued through the desk, its receipt is recorded as its
service (so the clocks that run from service start there), and both sides see it. The issuer's
copy is marked "recorded by the recipient" until the issuer confirms it; until then the desk
signs no document in the issuer's name: the scan is the paper. Audited, and told to the issuer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lexdesk.domain.agencies import Agency
from lexdesk.domain.attachments import Attachment, Placement, check_upload, clean_filename
from lexdesk.domain.deadlines import from_service, runs_from_service
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted, OpenCaseRace
from lexdesk.domain.ids import new_id
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.limits import PERSON_KEY_MAX, REASON_MAX, REFERENCE_MAX, within
from lexdesk.domain.permissions import Permission
from lexdesk.domain.service import ServiceMethod, ServiceRecord, check_service
from lexdesk.domain.vocabulary import (
    REQUEST_KINDS,
    AgencyKind,
    InstrumentKind,
    a_or_an,
    parse_actions,
    parse_choice,
    parse_kind,
    parse_warrant,
)
from lexdesk.services import audit, views
from lexdesk.services.attachments import blobs_of
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, agency
from lexdesk.services.instrument_access import (
    due_for_addressee,
    find_person,
    open_case,
    record_change,
)
from lexdesk.services.ports import BlobStore, UnitOfWork

#: What may be recorded from paper, and the kind of agency that issues each.
PAPER_KINDS: dict[InstrumentKind, AgencyKind] = {
    **dict.fromkeys(REQUEST_KINDS, AgencyKind.IMMIGRATION),
    InstrumentKind.ADMINISTRATIVE_SUBPOENA: AgencyKind.IMMIGRATION,
    InstrumentKind.COURT_ORDER: AgencyKind.COURT,
}
#: A paper older than this is no paper to act on now: the form asks again.
OLDEST_PAPER = timedelta(days=366)
#: Tries when two records open the same case at once (as issuing does).
CASE_RACE_TRIES = 3


@dataclass(frozen=True)
class RecordPaper:
    actor: str
    kind: str
    issuer: str
    person: str
    actions: tuple[str, ...]
    issued_at: datetime
    received_at: datetime
    method: str
    scan_name: str
    scan: bytes
    warrant: str = "none"
    return_date: datetime | None = None
    #: For a court order: the agency the records are to be produced to.
    produce_to: str = ""
    reference: str = ""
    reason: str = ""
    source: str = "cli"


@audit.records_denials("instrument.record_paper", "instrument", None)
def record_paper(desk: Desk, command: RecordPaper) -> Instrument:
    """Record the instrument received on paper, with its scan; the instrument."""
    blobs = blobs_of(desk)
    media_type = check_upload(blobs.sniff(command.scan), len(command.scan))
    for attempt in range(CASE_RACE_TRIES):
        try:
            with desk.uow() as uow:
                instrument = _record(desk, uow, command, blobs, media_type)
                uow.commit()
            return instrument
        except OpenCaseRace:
            if attempt == CASE_RACE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _record(
    desk: Desk, uow: UnitOfWork, command: RecordPaper, blobs: BlobStore, media_type: str
) -> Instrument:
    kind = parse_kind(command.kind)
    if kind not in PAPER_KINDS:
        raise InvalidInput(
            f"{a_or_an(kind.value)} is not recorded from paper: record the detainer, request, "
            "subpoena or court order that was served"
        )
    actions, warrant = parse_actions(command.actions), parse_warrant(command.warrant)
    within(command.person, PERSON_KEY_MAX, "the person's identifier")
    within(command.reference, REFERENCE_MAX, "the form or file number")
    within(command.reason.strip(), REASON_MAX, "the note")
    method = parse_choice(ServiceMethod, command.method, "how it was received")
    now = desk.clock.now()
    user = acting_user(uow, command.actor)
    authorize(user, Permission.PERSON_WRITE)
    custodian = agency(uow, user.agency_id)
    if custodian.kind is not AgencyKind.CUSTODIAL:
        raise NotPermitted("only a custodial agency records what it was served on paper")
    issuer = _issuer(uow, command.issuer, PAPER_KINDS[kind])
    _check_dates(command.issued_at, command.received_at, now)
    requester = issuer
    produce_to = (issuer.id,)
    if kind is InstrumentKind.COURT_ORDER:
        if not command.produce_to:
            raise InvalidInput("name the agency the order says the records go to (--produce-to)")
        requester = _issuer(uow, command.produce_to, AgencyKind.IMMIGRATION)
        produce_to = (requester.id,)
    person = find_person(uow, command.person, custodian)
    case = open_case(uow, requester, custodian, person, command.person, now)
    instrument = Instrument(
        id=new_id("ins"),
        case_id=case.id,
        kind=kind,
        actions=actions,
        warrant=warrant,
        issuer_agency_id=issuer.id,
        addressee_agency_id=custodian.id,
        created_at=now,
        reference=command.reference,
        produce_to=produce_to,
        recorded_by=custodian.id,
    )
    start = command.received_at if runs_from_service(kind) else command.issued_at
    due = due_for_addressee(
        desk, kind, custodian, start, person, command.return_date, now=command.issued_at
    )
    if due is not None and runs_from_service(kind):
        due = from_service(due)
    said = command.reason.strip() or f"Recorded from paper received from {issuer.name}."
    instrument.issue(actor=user.username, at=command.issued_at, due=due, reason=said)
    case.add(instrument)
    digest = blobs.put(command.scan)
    scan = Attachment(
        id=new_id("att"), instrument_id=instrument.id, on=Placement.INSTRUMENT, sha256=digest,
        media_type=media_type, size=len(command.scan), filename=clean_filename(command.scan_name),
        agency_id=custodian.id, uploaded_by=user.username, created_at=now,
    )  # fmt: skip
    receipt = ServiceRecord(
        id=new_id("srv"), instrument_id=instrument.id, method=method,
        served_by=f"received by {custodian.name}", served_at=command.received_at,
        agency_id=custodian.id, recorded_by=user.username, recorded_at=now,
        note="Recorded from paper by the recipient.",
    )  # fmt: skip
    views.store(uow, case, user.agency_id)
    uow.documents.add_attachment(scan)
    uow.documents.add_service(receipt)
    record_change(
        desk, uow, user, "instrument.record_paper", instrument, command.source,
        case=case.id, scan=digest, received_at=command.received_at.isoformat(),
    )  # fmt: skip
    return instrument


def _issuer(uow: UnitOfWork, agency_id: str, kind: AgencyKind) -> Agency:
    if not agency_id:
        raise InvalidInput("name the agency that issued the paper")
    found = agency(uow, agency_id)
    if found.kind is not kind:
        raise InvalidInput(
            f"{found.id} is {a_or_an(found.kind.value)} agency: this paper comes from "
            f"{a_or_an(kind.value)} agency"
        )
    return found


def _check_dates(issued_at: datetime, received_at: datetime, now: datetime) -> None:
    if issued_at > now:
        raise InvalidInput("the paper's date is in the future: give the date printed on it")
    if now - issued_at > OLDEST_PAPER:
        raise InvalidInput("the paper is more than a year old: check the date printed on it")
    check_service("recipient", received_at, issued_at, now, "")


@dataclass(frozen=True)
class ConfirmRecord:
    actor: str
    instrument_id: str
    source: str = "cli"


@audit.records_denials("instrument.confirm", "instrument")
def confirm_record(desk: Desk, command: ConfirmRecord) -> Instrument:
    """The issuer confirms the record its addressee made from paper: its copy is then its own
    instrument, and the desk signs its documents in its name."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        authorize(user, Permission.INSTRUMENT_ISSUE)
        case = uow.cases.of_instrument(command.instrument_id)
        if case is None:
            raise NotFound("instrument", command.instrument_id)
        instrument = case.instrument(command.instrument_id)
        if user.agency_id != instrument.issuer_agency_id:
            if views.instrument_view(uow, user.agency_id, case, instrument) is None:
                raise NotFound("instrument", command.instrument_id)
            raise NotPermitted(f"only the issuer of {instrument.id} confirms the record of it")
        instrument.confirm_record(actor=user.username, at=now)
        views.store(uow, case, user.agency_id)
        record_change(desk, uow, user, "instrument.confirm", instrument, command.source)
        uow.commit()
    return instrument

"""Attachments: upload the paper actually served, or the records produced with an answer; list
and read them as the disclosure policy allows (``domain.attachments.may_read``). Every upload
and every read is audited with the file's SHA-256. The bytes go to the blob store first (by
their hash: a failed transaction leaves at most a file no row names, and nothing half-written);
the row and the audit entry commit together or not at all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from lexdesk.domain.attachments import (
    Attachment,
    Placement,
    check_upload,
    clean_filename,
    may_read,
)
from lexdesk.domain.cases import Case
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import parse_choice
from lexdesk.services import audit, views
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.ports import BlobStore, UnitOfWork


def blobs_of(desk: Desk) -> BlobStore:
    """The desk's store of files (attachments, scans, exhibits)."""
    if desk.blobs is None:
        raise InvalidInput("this desk keeps no files: it was built without a blob store")
    return desk.blobs


def _case(uow: UnitOfWork, reader: Principal, instrument_id: str) -> Case:
    case = uow.cases.of_instrument(instrument_id)
    if case is None:
        raise NotFound("instrument", instrument_id)
    instrument = case.instrument(instrument_id)
    if views.instrument_view(uow, reader.agency_id, case, instrument) is None:
        raise NotFound("instrument", instrument_id)
    return case


def add(
    desk: Desk,
    reader: Principal,
    instrument_id: str,
    filename: str,
    data: bytes,
    *,
    on: str = "instrument",
    source: str,
) -> Attachment:
    """Attach a file to an instrument (a party to it: its issuer or its addressee) or to its
    answer (the addressee, once it answered: the records it produced). A refusal is on
    record too: ``denied`` (may not), ``failure`` (the file or the moment is wrong)."""
    try:
        return _add(desk, reader, instrument_id, filename, data, on, source)
    except LexdeskError as refusal:
        audit.record_refusal(
            desk,
            refusal,
            username=reader.username,
            agency=reader.agency_id,
            action="attachment.add",
            object_id=instrument_id,
            source=source,
            detail={"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)},
        )
        raise


def _add(
    desk: Desk,
    reader: Principal,
    instrument_id: str,
    filename: str,
    data: bytes,
    on: str,
    source: str,
) -> Attachment:
    blobs = blobs_of(desk)
    authorize(reader, Permission.INSTRUMENT_READ)
    placement = parse_choice(Placement, on, "placement")
    media_type = check_upload(blobs.sniff(data), len(data))
    with desk.uow() as uow:
        case = _case(uow, reader, instrument_id)
        instrument = case.instrument(instrument_id)
        if instrument.party_of(reader.agency_id) is None:
            raise NotPermitted(
                f"only the issuer or the addressee of {instrument_id} attaches files to it"
            )
        if placement is Placement.ANSWER and (
            reader.agency_id != instrument.addressee_agency_id or instrument.determination is None
        ):
            raise InvalidInput(
                "records are attached to an answer by the agency that answered, once it has"
            )
        digest = blobs.put(data)
        made = Attachment(
            id=new_id("att"),
            instrument_id=instrument_id,
            on=placement,
            sha256=digest,
            media_type=media_type,
            size=len(data),
            filename=clean_filename(filename),
            agency_id=reader.agency_id,
            uploaded_by=reader.username,
            created_at=desk.clock.now(),
        )
        uow.documents.add_attachment(made)
        _audit(desk, uow, reader, "attachment.add", made, source)
        uow.commit()
    return made


def list_of(desk: Desk, reader: Principal, instrument_id: str, source: str) -> list[Attachment]:
    """The attachments of an instrument that the reader's agency may read."""
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        case = _case(uow, reader, instrument_id)
        found = [
            a
            for a in uow.documents.attachments_of(instrument_id)
            if may_read(reader.agency_id, case, a)
        ]
        actor, behalf = audit_actor(desk, reader.username)
        audit.record(
            uow,
            actor=actor,
            agency=reader.agency_id,
            action="attachment_list.read",
            object_type="instrument",
            object_id=instrument_id,
            source=source,
            detail={"via": reader.via, "attachments": [a.id for a in found], **behalf},
        )
        uow.commit()
    return found


def read(
    desk: Desk, reader: Principal, attachment_id: str, source: str
) -> tuple[Attachment, Iterator[bytes]]:
    """One attachment and its bytes (streamed), for an agency the policy lets read it."""
    blobs = blobs_of(desk)
    authorize(reader, Permission.INSTRUMENT_READ)
    with desk.uow() as uow:
        found = uow.documents.attachment(attachment_id)
        if found is None:
            raise NotFound("attachment", attachment_id)
        case = uow.cases.of_instrument(found.instrument_id)
        if case is None or not may_read(reader.agency_id, case, found):
            raise NotFound("attachment", attachment_id)
        _audit(desk, uow, reader, "attachment.read", found, source)
        uow.commit()
    return found, blobs.read(found.sha256)


def _audit(
    desk: Desk, uow: UnitOfWork, reader: Principal, action: str, item: Attachment, source: str
) -> None:
    actor, behalf = audit_actor(desk, reader.username)
    audit.record(
        uow,
        actor=actor,
        agency=reader.agency_id,
        action=action,
        object_type="attachment",
        object_id=item.id,
        source=source,
        detail={
            "via": reader.via,
            "instrument": item.instrument_id,
            "on": item.on.value,
            "sha256": item.sha256,
            "media_type": item.media_type,
            "size": item.size,
            **behalf,
        },
    )

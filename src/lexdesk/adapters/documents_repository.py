"""The documents issued, the signing keys and the letterheads (``domain.documents``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from lexdesk.adapters import orm
from lexdesk.domain.attachments import Attachment, Placement
from lexdesk.domain.documents import (
    DocumentKind,
    DocumentRecord,
    KeyPurpose,
    Letterhead,
    SigningKey,
)
from lexdesk.domain.production import Production
from lexdesk.domain.service import ServiceMethod, ServiceRecord


class SqlDocumentRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, record: DocumentRecord) -> None:
        self._db.execute(
            insert(orm.documents).values(
                id=record.id,
                code=record.code,
                instrument_id=record.instrument_id,
                published_report_id=record.published_report_id,
                kind=record.kind.value,
                issuer_agency_id=record.issuer_agency_id,
                rendered_for=record.rendered_for,
                rendered_by=record.rendered_by,
                sha256=record.sha256,
                created_at=record.created_at,
                key_id=record.key_id,
            )
        )

    def by_code(self, code: str) -> DocumentRecord | None:
        row = self._db.execute(select(orm.documents).where(orm.documents.c.code == code)).first()
        return _document(row) if row else None

    def by_sha256(self, digest: str) -> DocumentRecord | None:
        d = orm.documents
        row = self._db.execute(select(d).where(d.c.sha256 == digest)).first()
        return _document(row) if row else None

    def of_report(self, published_id: str) -> DocumentRecord | None:
        d = orm.documents
        row = self._db.execute(select(d).where(d.c.published_report_id == published_id)).first()
        return _document(row) if row else None

    def of_instrument(self, instrument_id: str) -> list[DocumentRecord]:
        d = orm.documents
        rows = self._db.execute(
            select(d).where(d.c.instrument_id == instrument_id).order_by(d.c.created_at, d.c.id)
        )
        return [_document(row) for row in rows]

    def add_key(self, key: SigningKey) -> None:
        self._db.execute(
            insert(orm.signing_keys).values(
                id=key.id,
                purpose=key.purpose.value,
                agency_id=key.agency_id,
                subject=key.subject,
                certificate_pem=key.certificate_pem,
                encrypted_key=key.encrypted_key,
                fingerprint=key.fingerprint,
                created_at=key.created_at,
                retired_at=key.retired_at,
            )
        )

    def key(self, key_id: str) -> SigningKey | None:
        k = orm.signing_keys
        row = self._db.execute(select(k).where(k.c.id == key_id)).first()
        return _key(row) if row else None

    def active_key(self, agency_id: str | None) -> SigningKey | None:
        k = orm.signing_keys
        owner = k.c.agency_id.is_(None) if agency_id is None else k.c.agency_id == agency_id
        purpose = KeyPurpose.CA if agency_id is None else KeyPurpose.AGENCY
        row = self._db.execute(
            select(k)
            .where(owner, k.c.purpose == purpose.value, k.c.retired_at.is_(None))
            .order_by(k.c.created_at.desc(), k.c.id)
            .limit(1)
        ).first()
        return _key(row) if row else None

    def all_keys(self, agency_id: str | None = None) -> list[SigningKey]:
        k = orm.signing_keys
        query = select(k).order_by(k.c.agency_id, k.c.created_at, k.c.id)
        if agency_id is not None:
            query = query.where(k.c.agency_id == agency_id)
        return [_key(row) for row in self._db.execute(query)]

    def retire_key(self, key_id: str, at: datetime) -> bool:
        k = orm.signing_keys
        done = self._db.execute(
            update(k).where(k.c.id == key_id, k.c.retired_at.is_(None)).values(retired_at=at)
        )
        return done.rowcount == 1

    def add_attachment(self, attachment: Attachment) -> None:
        self._db.execute(
            insert(orm.attachments).values(
                id=attachment.id,
                instrument_id=attachment.instrument_id,
                placement=attachment.on.value,
                sha256=attachment.sha256,
                media_type=attachment.media_type,
                size=attachment.size,
                filename=attachment.filename,
                agency_id=attachment.agency_id,
                uploaded_by=attachment.uploaded_by,
                created_at=attachment.created_at,
            )
        )

    def attachment(self, attachment_id: str) -> Attachment | None:
        a = orm.attachments
        row = self._db.execute(select(a).where(a.c.id == attachment_id)).first()
        return _attachment(row) if row else None

    def attachments_of(self, instrument_id: str) -> list[Attachment]:
        a = orm.attachments
        rows = self._db.execute(
            select(a).where(a.c.instrument_id == instrument_id).order_by(a.c.created_at, a.c.id)
        )
        return [_attachment(row) for row in rows]

    def add_service(self, record: ServiceRecord) -> None:
        self._db.execute(
            insert(orm.service_records).values(
                id=record.id,
                instrument_id=record.instrument_id,
                method=record.method.value,
                served_by=record.served_by,
                served_at=record.served_at,
                agency_id=record.agency_id,
                recorded_by=record.recorded_by,
                recorded_at=record.recorded_at,
                note=record.note,
            )
        )

    def services_of(self, instrument_id: str) -> list[ServiceRecord]:
        r = orm.service_records
        rows = self._db.execute(
            select(r).where(r.c.instrument_id == instrument_id).order_by(r.c.served_at, r.c.id)
        )
        return [
            ServiceRecord(
                id=row.id,
                instrument_id=row.instrument_id,
                method=ServiceMethod(row.method),
                served_by=row.served_by,
                served_at=row.served_at,
                agency_id=row.agency_id,
                recorded_by=row.recorded_by,
                recorded_at=row.recorded_at,
                note=row.note,
            )
            for row in rows
        ]

    def add_production(self, production: Production) -> None:
        self._db.execute(
            insert(orm.productions).values(
                id=production.id,
                instrument_id=production.instrument_id,
                release_id=production.release_id,
                producer_agency_id=production.producer_agency_id,
                recipients=list(production.recipients),
                bates_prefix=production.bates_prefix,
                first_number=production.first,
                last_number=production.last,
                exhibits=list(production.exhibits),
                made_by=production.made_by,
                at=production.at,
            )
        )

    def production_of(self, instrument_id: str) -> Production | None:
        p = orm.productions
        row = self._db.execute(select(p).where(p.c.instrument_id == instrument_id)).first()
        if row is None:
            return None
        return Production(
            id=row.id,
            instrument_id=row.instrument_id,
            release_id=row.release_id,
            producer_agency_id=row.producer_agency_id,
            recipients=tuple(row.recipients),
            bates_prefix=row.bates_prefix,
            first=int(row.first_number),
            last=int(row.last_number),
            exhibits=tuple(row.exhibits),
            made_by=row.made_by,
            at=row.at,
        )

    def last_bates(self, prefix: str) -> int:
        """The highest number the prefix has used (0: none yet)."""
        p = orm.productions
        found = self._db.scalar(select(func.max(p.c.last_number)).where(p.c.bates_prefix == prefix))
        return int(found or 0)

    def letterhead(self, agency_id: str) -> Letterhead | None:
        h = orm.letterheads
        row = self._db.execute(select(h).where(h.c.agency_id == agency_id)).first()
        if row is None:
            return None
        return Letterhead(row.agency_id, row.address, bytes(row.seal_png) if row.seal_png else None)

    def set_letterhead(self, letterhead: Letterhead, at: datetime) -> None:
        h = orm.letterheads
        values = {"address": letterhead.address, "seal_png": letterhead.seal_png, "updated_at": at}
        found = self._db.execute(
            update(h).where(h.c.agency_id == letterhead.agency_id).values(**values)
        )
        if found.rowcount == 0:
            self._db.execute(insert(h).values(agency_id=letterhead.agency_id, **values))


def _attachment(row: Any) -> Attachment:
    return Attachment(
        id=row.id,
        instrument_id=row.instrument_id,
        on=Placement(row.placement),
        sha256=row.sha256,
        media_type=row.media_type,
        size=int(row.size),
        filename=row.filename,
        agency_id=row.agency_id,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
    )


def _document(row: Any) -> DocumentRecord:
    return DocumentRecord(
        id=row.id,
        code=row.code,
        instrument_id=row.instrument_id,
        kind=DocumentKind(row.kind),
        issuer_agency_id=row.issuer_agency_id,
        rendered_for=row.rendered_for,
        rendered_by=row.rendered_by,
        sha256=row.sha256,
        created_at=row.created_at,
        key_id=row.key_id,
        published_report_id=row.published_report_id,
    )


def _key(row: Any) -> SigningKey:
    return SigningKey(
        id=row.id,
        purpose=KeyPurpose(row.purpose),
        agency_id=row.agency_id,
        subject=row.subject,
        certificate_pem=row.certificate_pem,
        encrypted_key=bytes(row.encrypted_key),
        fingerprint=row.fingerprint,
        created_at=row.created_at,
        retired_at=row.retired_at,
    )

"""A published transparency report as a signed PDF (docs/adr/0019): made once, the first time
anyone asks, signed with the agency's key, kept in the blob store, and the same file for
everyone after (a public document has one reader: the public). Verifiable like every other
document: ``/verify`` says which agency published it, when, and whether a later edition has
corrected it. It holds what the published report holds: counts, never a person."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lexdesk.domain.documents import TITLES, DocumentKind, DocumentRecord, new_code
from lexdesk.domain.errors import NotFound
from lexdesk.domain.reports.published import PublishedReport
from lexdesk.services.attachments import blobs_of
from lexdesk.services.context import Desk
from lexdesk.services.documents import Unsigned, letterhead_of, press_of, sign_and_keep, when
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class SignedReport:
    record: DocumentRecord
    report: PublishedReport
    chunks: Iterator[bytes]

    @property
    def filename(self) -> str:
        r = self.report
        return f"{r.report_id}_{r.agency_id}_{r.period}_edition{r.edition}.pdf"


def signed_report(desk: Desk, published_id: str, *, source: str) -> SignedReport:
    """The signed PDF of a published report, made and kept the first time it is asked for."""
    blobs = blobs_of(desk)
    with desk.uow() as uow:
        report = uow.reports.get(published_id)
        if report is None:
            raise NotFound("published report", published_id)
        record = uow.documents.of_report(published_id)
        if record is None:
            record = _make(desk, uow, report, source)
            uow.commit()
    chunks = blobs.read(record.sha256)
    first = next(chunks, b"")  # a file gone from the store is refused here, not mid-stream
    return SignedReport(record, report, itertools.chain((first,), chunks))


def _make(desk: Desk, uow: UnitOfWork, report: PublishedReport, source: str) -> DocumentRecord:
    press = press_of(desk)
    code = new_code()
    facts = content(uow, report, code)
    unsigned = Unsigned(
        None,
        DocumentKind.TRANSPARENCY_REPORT,
        report.agency_id,
        code,
        press.report(facts),
        facts["signer"]["name"],
        published_report_id=report.id,
    )
    made = sign_and_keep(desk, uow, None, unsigned, source)
    # Kept before the record commits: a record whose file is missing would be served as
    # nothing; a file whose record did not commit is only an orphan the next make ignores.
    blobs_of(desk).put(made.pdf)
    return made.record


def content(uow: UnitOfWork, report: PublishedReport, code: str) -> dict[str, Any]:
    return {
        "title": TITLES[DocumentKind.TRANSPARENCY_REPORT],
        "code": code,
        "signer": letterhead_of(uow, report.agency_id),
        "report": report.document,
        "edition": report.edition,
        "note": report.note,
        "published_at": when(report.published_at),
    }

"""Attachments: the paper actually served (a scan of a subpoena, an order) on an instrument,
or the records a custodian produced with its answer. Stored content-addressed by SHA-256 in a
blob store (``services.ports.BlobStore``); the desk keeps who attached what, when, of which
type (sniffed from the bytes, never taken from the name) and where.

Who may read one is the disclosure policy's question, asked like this: an attachment on an
instrument goes to whoever may see the instrument; one on an answer (``on == "answer"``)
carries what was produced, and reaches the custodial agency that holds the person and the
agencies the records were produced to, no one else (ADR 0006)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lexdesk.domain.cases import Case
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.visibility import sees_instrument

#: The largest attachment: a scanned subpoena with its schedules fits many times over.
SIZE_LIMIT = 25 * 1024 * 1024
#: The types accepted, as sniffed from the first bytes.
ACCEPTED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}


class TooLarge(InvalidInput):
    """More than ``SIZE_LIMIT`` bytes (the API answers 413)."""


class Placement(StrEnum):
    INSTRUMENT = "instrument"
    ANSWER = "answer"


@dataclass(frozen=True)
class Attachment:
    id: str
    instrument_id: str
    on: Placement
    sha256: str
    media_type: str
    size: int
    filename: str
    agency_id: str
    uploaded_by: str
    created_at: datetime

    @property
    def download_name(self) -> str:
        return f"{self.id}.{ACCEPTED.get(self.media_type, 'bin')}"


def check_upload(sniffed: str | None, size: int) -> str:
    """The media type of an upload, or the refusal."""
    if size == 0:
        raise InvalidInput("the file is empty")
    if size > SIZE_LIMIT:
        raise TooLarge(f"the file is larger than {SIZE_LIMIT // (1024 * 1024)} MB")
    if sniffed not in ACCEPTED:
        found = f"it looks like {sniffed}" if sniffed else "its type is not recognised"
        raise InvalidInput(f"attach a PDF, PNG, JPEG or TIFF: {found} (judged by its content)")
    return sniffed


def clean_filename(name: str) -> str:
    """The name as given, for display only: no path, no control characters, 200 at most."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>|*?:')
    return cleaned.strip()[:200] or "attachment"


def may_read(agency_id: str, case: Case, attachment: Attachment) -> bool:
    """Whether ``agency_id`` may read the attachment (the module's docstring says why)."""
    instrument = case.instrument(attachment.instrument_id)
    holder = agency_id == case.custodial_agency_id
    if attachment.on is Placement.ANSWER:
        return holder or agency_id in instrument.produce_to
    return holder or sees_instrument(agency_id, case, instrument)

"""Documents: an instrument or an answer as paper, signed by the agency that issues it, and what
anyone who holds one may learn by verifying it (docs/adr/0018-documents.md).

A document is rendered for one reader from the view the disclosure policy gives that reader
(``domain.visibility``); the custodian's copy of what it sends is rendered from its
counterparty's view, so that nothing it alone knows (a release date, the evaluation) reaches
the paper. The desk keeps no copy of the bytes: only their SHA-256 and a short verification
code, so that a PDF in hand is recognised byte for byte, and a changed one is not.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import InstrumentKind, InstrumentStatus

#: Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
#: The marker a document carries in its signature's reason, so an altered copy still names
#: the document it claims to be.
CODE_MARKER = "lexdesk verification code "

#: The authority for an administrative subpoena for records (Form I-138).
SUBPOENA_AUTHORITY = "8 U.S.C. § 1225(d)(4)(A)"
#: The hold a detainer asks for (8 C.F.R. § 287.7(d)).
DETAINER_HOLD = (
    "Maintain custody of the subject for a period NOT TO EXCEED 48 HOURS beyond the time when "
    "the subject would otherwise have been released from your custody, to allow the Department "
    "to assume custody (8 C.F.R. § 287.7(d))."
)
#: The notice that the I-247A asks the custodian to serve on the person.
DETAINER_NOTICE = (
    "Notice to the person: the Department has placed an immigration detainer on you. It asks "
    "the agency that holds you to keep you for up to 48 hours beyond the time you would "
    "otherwise be released, to allow the Department to take custody. If the Department does "
    "not take custody within those 48 hours, you should be released."
)


class DocumentKind(StrEnum):
    """What a document is: one instrument kind, or the custodian's answer letter."""

    DETAINER = "detainer"
    NOTIFICATION_REQUEST = "notification_request"
    TRANSFER_REQUEST = "transfer_request"
    INFORMATION_REQUEST = "information_request"
    ADMINISTRATIVE_SUBPOENA = "administrative_subpoena"
    REFERRAL = "referral"
    ENFORCEMENT_PETITION = "enforcement_petition"
    COURT_ORDER = "court_order"
    ANSWER_LETTER = "answer_letter"
    PRODUCTION = "production"
    TRANSPARENCY_REPORT = "transparency_report"


TITLES: dict[DocumentKind, str] = {
    DocumentKind.DETAINER: "Immigration Detainer – Notice of Action",
    DocumentKind.NOTIFICATION_REQUEST: "Request for Notification of Release",
    DocumentKind.TRANSFER_REQUEST: "Request for Transfer at Release",
    DocumentKind.INFORMATION_REQUEST: "Request for Information",
    DocumentKind.ADMINISTRATIVE_SUBPOENA: "Subpoena for Records",
    DocumentKind.REFERRAL: "Referral for Enforcement of an Administrative Subpoena",
    DocumentKind.ENFORCEMENT_PETITION: "Petition to Enforce an Administrative Subpoena",
    DocumentKind.COURT_ORDER: "Order Compelling Compliance",
    DocumentKind.ANSWER_LETTER: "Answer",
    DocumentKind.PRODUCTION: "Production of Records",
    DocumentKind.TRANSPARENCY_REPORT: "Transparency Report",
}


def kind_of(instrument_kind: InstrumentKind, answer: bool) -> DocumentKind:
    return DocumentKind.ANSWER_LETTER if answer else DocumentKind(instrument_kind.value)


class Standing(StrEnum):
    """Whether the instrument a document shows still binds anyone, in words for a stranger."""

    IN_FORCE = "in_force"
    DRAFT = "draft"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    LAPSED = "lapsed"
    CLOSED = "closed"
    #: A transparency report's edition: the current one, or one a later edition corrected.
    PUBLISHED = "published"
    CORRECTED = "corrected"


_STANDING: dict[InstrumentStatus, Standing] = {
    InstrumentStatus.DRAFT: Standing.DRAFT,
    InstrumentStatus.DISCARDED: Standing.WITHDRAWN,
    InstrumentStatus.ISSUED: Standing.IN_FORCE,
    InstrumentStatus.ACKNOWLEDGED: Standing.IN_FORCE,
    InstrumentStatus.WITHDRAWN: Standing.WITHDRAWN,
    InstrumentStatus.ESCALATED: Standing.SUPERSEDED,
    InstrumentStatus.LAPSED: Standing.LAPSED,
    # That the person left custody is a fact about the person: a stranger learns only that
    # the instrument no longer binds.
    InstrumentStatus.MOOT: Standing.CLOSED,
}


def standing_of(status: InstrumentStatus) -> Standing:
    """Every answer (complied, declined, granted...) is "answered": the outcome is not told."""
    return _STANDING.get(status, Standing.ANSWERED)


def new_code() -> str:
    """A verification code: 60 random bits in three groups of four (``7K2M-Q9XD-4HRT``)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def parse_code(text: str) -> str:
    """A code as typed (any case, spaces, with or without dashes; O for 0, I and L for 1)."""
    cleaned = re.sub(r"[\s-]", "", text.strip().upper())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    code = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
    if len(cleaned) != 12 or not _CODE.match(code):
        raise InvalidInput(
            "a verification code is 12 letters and digits in three groups, e.g. 7K2M-Q9XD-4HRT"
        )
    return code


@dataclass(frozen=True)
class DocumentRecord:
    """What the desk keeps of a document it issued: never the bytes, their hash."""

    id: str
    code: str
    #: The instrument it shows; None for a published transparency report's.
    instrument_id: str | None
    kind: DocumentKind
    #: The agency whose key signed it: an instrument's issuer; the addressee for an answer.
    issuer_agency_id: str
    #: The agency for whose reader it was rendered, and the user who asked.
    rendered_for: str
    rendered_by: str
    sha256: str
    created_at: datetime
    key_id: str
    published_report_id: str | None = None

    @property
    def subject_id(self) -> str:
        """What the document is of: the instrument's id, or the published report's."""
        return self.instrument_id or self.published_report_id or ""


class KeyPurpose(StrEnum):
    CA = "ca"
    AGENCY = "agency"


@dataclass(frozen=True)
class SigningKey:
    """A key pair and its certificate. The private key is stored encrypted; a retired key
    signs nothing new, and its certificate stays for the documents it signed."""

    id: str
    purpose: KeyPurpose
    agency_id: str | None
    subject: str
    certificate_pem: str
    encrypted_key: bytes
    fingerprint: str
    created_at: datetime
    retired_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class Letterhead:
    """An agency's letterhead: its address, and its seal (a PNG) if an administrator gave one."""

    agency_id: str
    address: str = ""
    seal_png: bytes | None = None


class Result(StrEnum):
    AUTHENTIC = "authentic"
    ALTERED = "altered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """What a verification tells anyone: the document, never the person."""

    result: Result
    code: str | None = None
    kind: DocumentKind | None = None
    issuer_agency_id: str | None = None
    issuer_name: str | None = None
    issued_at: datetime | None = None
    standing: Standing | None = None
    #: How the document was looked up: ``file`` (its bytes) or ``code``.
    by: str = "file"

    def to_json(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "code": self.code,
            "kind": self.kind.value if self.kind else None,
            "issuer": (
                {"id": self.issuer_agency_id, "name": self.issuer_name}
                if self.issuer_agency_id
                else None
            ),
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "standing": self.standing.value if self.standing else None,
            "by": self.by,
        }

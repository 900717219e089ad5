"""The exchange format's vocabulary: which NIEM names the desk's concepts take (docs/exchange.md),
and what a requesting agency's document asks for, read into plain values.

The names are NIEM 5.2's: ``nc:`` NIEM Core 5.0, ``j:`` Justice 7.2, ``im:`` Immigration 5.2.
Where NIEM has no term for a concept the name is the desk's own, ``lx:``. The document's shape is
the JSON Schema ``data/case-exchange-v1.json`` (the one source of truth, published at
``/api/v1/schemas/case-exchange-v1.json``); this module reads only documents that fit it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.persons import IdentifierScheme
from lexdesk.domain.vocabulary import InstrumentKind

SCHEMA_FILE = "case-exchange-v1.json"
#: JSON-LD: each prefix and the namespace it names.
CONTEXT: dict[str, str] = {
    "nc": "http://release.niem.gov/niem/niem-core/5.0/#",
    "j": "http://release.niem.gov/niem/domains/jxdm/7.2/#",
    "im": "http://release.niem.gov/niem/domains/immigration/5.2/#",
    "lx": "urn:lexdesk:exchange:1#",
}
INSTRUMENTS = "lx:Instrument"

#: Each kind of instrument, by the element it is written as.
KIND_ELEMENTS: dict[InstrumentKind, str] = {
    InstrumentKind.DETAINER: "j:DetainerNotificationRequest",
    InstrumentKind.NOTIFICATION_REQUEST: "j:NotificationRequest",
    InstrumentKind.TRANSFER_REQUEST: "lx:TransferRequest",
    InstrumentKind.INFORMATION_REQUEST: "lx:InformationRequest",
    InstrumentKind.ADMINISTRATIVE_SUBPOENA: "lx:AdministrativeSubpoena",
    InstrumentKind.REFERRAL: "lx:ProsecutionReferral",
    InstrumentKind.ENFORCEMENT_PETITION: "lx:EnforcementPetition",
    InstrumentKind.COURT_ORDER: "j:CourtOrder",
}
KINDS_BY_ELEMENT = {element: kind for kind, element in KIND_ELEMENTS.items()}

#: The desk's own key for a person: ``nc:PersonOtherIdentification`` of this category.
PERSON_KEY = "nc:PersonOtherIdentification"
PERSON_KEY_CATEGORY = "lexdesk"
#: Each identifier a custodian knows a person by, by the element it is written as.
SCHEME_ELEMENTS: dict[IdentifierScheme, str] = {
    IdentifierScheme.NYSID: "j:PersonStateFingerprintIdentification",
    IdentifierScheme.FBI_NUMBER: "j:PersonFBIIdentification",
    IdentifierScheme.A_NUMBER: "im:AlienNumberIdentification",
    IdentifierScheme.STATE_ID: "nc:PersonStateIdentification",
    IdentifierScheme.BOOKING_NUMBER: "j:BookingDocumentControlIdentification",
}
SCHEMES_BY_ELEMENT = {element: scheme for scheme, element in SCHEME_ELEMENTS.items()}

#: What the case reader calls a withheld field, and the element the exchange writes it as.
WITHHELD_ELEMENTS = {
    "due_at": "nc:ActivityDueDate",
    "evaluation": "lx:Evaluation",
    "instruments": INSTRUMENTS,
}

#: What a requesting agency's document may name, besides the instrument itself: the element
#: that a refusal about it points at.
ADDRESSEE = "j:ReceiverOrganization"
PERSON = "nc:Person"
NOT_A_MOMENT = (
    "is not a date and time between 1900 and 2200: write it as ISO 8601 with its zone, "
    "e.g. 2026-11-24T09:00:00-05:00"
)


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the exchange documents, as shipped; read once."""
    data = resources.files("lexdesk.domain").joinpath(f"data/{SCHEMA_FILE}")
    found: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return found


def withheld_element(field: str) -> str:
    return WITHHELD_ELEMENTS.get(field, f"lx:{field}")


def pointer(*steps: str | int) -> str:
    """A JSON Pointer (RFC 6901) to a place in a document; ``/`` for the document itself."""
    escaped = (str(s).replace("~", "~0").replace("/", "~1") for s in steps)
    return "/" + "/".join(escaped)


@dataclass(frozen=True)
class Problem:
    """What is wrong at one place in a document."""

    path: str
    message: str


class ExchangeRefused(InvalidInput):
    """A document that was refused as a whole, with what is wrong at each place in it:
    ``refused_by`` ``schema`` when it does not fit the published schema, ``rules`` when it
    fits but what it says is refused (an impossible date, an unknown person or agency)."""

    def __init__(
        self, summary: str, problems: tuple[Problem, ...], refused_by: str = "schema"
    ) -> None:
        super().__init__(summary)
        self.problems = problems
        self.refused_by = refused_by


@dataclass(frozen=True)
class Requested:
    """One new request a document asks the desk to issue, and where it stands in the document."""

    path: str
    kind: str
    addressee: str
    person: str
    actions: tuple[str, ...]
    warrant: str
    return_date: datetime | None
    reference: str
    reason: str

    def at(self, element: str | None) -> str:
        """The pointer to this request, or to one of its elements."""
        return f"{self.path}/{element}" if element else self.path


def requested(document: Mapping[str, Any]) -> list[Requested]:
    """The requests of a document that fits the schema's import (``InstrumentImport``), in
    order; ExchangeRefused if a date is out of range (the schema cannot say that)."""
    found, problems = [], []
    for index, item in enumerate(document[INSTRUMENTS]):
        ((element, fields),) = item.items()
        path = pointer(INSTRUMENTS, index, element)
        due = fields.get("nc:ActivityDueDate")
        moment = None
        if due is not None:
            moment = _moment(due["nc:DateTime"])
            if moment is None:
                place = f"{path}/nc:ActivityDueDate/nc:DateTime"
                problems.append(Problem(place, NOT_A_MOMENT))
        warrant = fields.get("j:Warrant", {}).get("j:WarrantCategoryText", "none")
        reference = fields.get("nc:DocumentIdentification", {}).get("nc:IdentificationID", "")
        found.append(
            Requested(
                path=path,
                kind=KINDS_BY_ELEMENT[element].value,
                addressee=fields[ADDRESSEE]["nc:OrganizationIdentification"]["nc:IdentificationID"],
                person=_person_key(fields[PERSON]),
                actions=tuple(fields["lx:RequestedAction"]),
                warrant=warrant,
                return_date=moment,
                reference=reference,
                reason=fields.get("nc:ActivityReasonText", ""),
            )
        )
    if problems:
        raise refused(problems, "rules")
    return found


def _person_key(person: Mapping[str, Any]) -> str:
    """The person as the issuing service names them: the desk's key, or scheme:value."""
    ((element, identification),) = person.items()
    value = str(identification["nc:IdentificationID"])
    if element == PERSON_KEY:
        return value
    return f"{SCHEMES_BY_ELEMENT[element].value}:{value}"


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if 1900 <= in_utc.year <= 2200 else None


def _summary(problems: list[Problem]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{first.path}: {first.message}{more}: correct the document and send it again"


def refused(problems: list[Problem], refused_by: str = "schema") -> ExchangeRefused:
    """The refusal of a whole document for these problems (at least one)."""
    return ExchangeRefused(_summary(problems), tuple(problems), refused_by)

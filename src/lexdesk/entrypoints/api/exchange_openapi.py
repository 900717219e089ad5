"""How the exchange routes appear in the OpenAPI document: their request bodies with an example
(the very files under docs/examples/, which a test compares), their answers and error bodies.
The JSON shapes are the published schema's own definitions, as components
(``exchange_document.schema_components``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from lexdesk.domain.exchange import CONTEXT
from lexdesk.entrypoints.api.errors import ErrorBody, ValidationErrorBody
from lexdesk.entrypoints.api.exchange_document import schema_ref
from lexdesk.entrypoints.api.schemas import Answer

Json = dict[str, Any]


def _organization(code: str) -> Json:
    return {"nc:OrganizationIdentification": {"nc:IdentificationID": code}}


_NYSID = {"j:PersonStateFingerprintIdentification": {"nc:IdentificationID": "90000002M"}}
#: docs/examples/instrument-exchange.json: two requests about one person, issued together.
IMPORT_EXAMPLE: Json = {
    "@context": CONTEXT,
    "lx:Instrument": [
        {
            "j:DetainerNotificationRequest": {
                "j:ReceiverOrganization": _organization("nyc-doc"),
                "nc:Person": _NYSID,
                "lx:RequestedAction": ["hold", "notify_release"],
                "j:Warrant": {"j:WarrantCategoryText": "administrative"},
                "nc:DocumentIdentification": {"nc:IdentificationID": "I-247A-2026-0042"},
                "nc:ActivityReasonText": "Final order of removal; Form I-205 served with it.",
            }
        },
        {
            "lx:InformationRequest": {
                "j:ReceiverOrganization": _organization("nyc-doc"),
                "nc:Person": _NYSID,
                "lx:RequestedAction": ["disclose:release_date", "disclose:home_address"],
                "nc:DocumentIdentification": {"nc:IdentificationID": "IR-2026-0042"},
            }
        },
    ],
}
#: docs/examples/roster.csv
ROSTER_EXAMPLE = (
    "nysid,booking_number,family_name,given_name,date_of_birth,arrested_on,booked_at,"
    "expected_release_at,charge_offense,charge_class\n"
    "90001001A,B0001001,Example,Rowan,1990-02-03,2026-11-20,2026-11-20T18:30:00-05:00,"
    "2026-12-15T09:00:00-05:00,NY PL 155.30,E felony\n"
    "90001002B,B0001002,Sample,Jules,1985-07-21,2026-11-22,2026-11-22T21:05:00-05:00,,"
    "NY PL 120.00,A misdemeanor\n"
    "90001003C,,Placeholder,Morgan,,2026-11-25,2026-11-25T10:15:00-05:00,"
    "2027-01-08T17:00:00-05:00,,\n"
)


class RosterRowOut(Answer):
    line: int = Field(description="The line of the file (the header is line 1).")
    outcome: Literal["booked", "rebooked", "updated", "unchanged"]
    person_id: str = Field(description="The person the row booked, updated or matched.")


class RosterReport(Answer):
    """What each row of the roster did; all were applied, in one transaction."""

    counts: dict[str, int] = Field(
        description="Rows by outcome: booked, rebooked, updated, unchanged (rejected: 0)."
    )
    rows: list[RosterRowOut]


def _error(description: str) -> Json:
    return {"model": ErrorBody, "description": description}


def _invalid(description: str) -> Json:
    return {"model": ValidationErrorBody, "description": description}


UNSUPPORTED = _error("The body is not of the media type this route reads.")
IMPORT_BODY: Json = {
    "requestBody": {
        "required": True,
        "description": "One or more new requests (the published schema's InstrumentImport).",
        "content": {
            "application/json": {
                "schema": schema_ref("InstrumentImport"),
                "example": IMPORT_EXAMPLE,
            }
        },
    }
}
IMPORT_ANSWERS: dict[int | str, Json] = {
    201: {
        "description": "Every request was issued: the instruments, in the order sent, as the "
        "issuer sees them.",
        "content": {"application/json": {"schema": schema_ref("Issued")}},
    },
    409: _error("Another writer changed a case meanwhile: send the document again."),
    415: UNSUPPORTED,
    422: _invalid(
        "The document does not fit the schema, or the desk refuses one of its requests: "
        "errors names each place (a JSON Pointer such as /lx:Instrument/1/nc:Person) and "
        "what is wrong there. Nothing was issued."
    ),
}
EXPORT_ANSWERS: dict[int | str, Json] = {
    200: {
        "description": "The case and the instruments one's agency may see (the published "
        "schema's CaseExport).",
        "content": {"application/json": {"schema": schema_ref("CaseExport")}},
    }
}
SCHEMA_ANSWERS: dict[int | str, Json] = {
    200: {
        "description": "The JSON Schema (2020-12) of the exchange documents.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    413: _error("The body is larger than 1 MiB."),
    422: _invalid("An unknown query parameter."),
}
ROSTER_BODY: Json = {
    "requestBody": {
        "required": True,
        "description": "The roster: CSV, UTF-8, a header row naming its columns (docs/roster.md); "
        "at most 1 MiB.",
        "content": {"text/csv": {"schema": {"type": "string"}, "example": ROSTER_EXAMPLE}},
    }
}
ROSTER_ANSWERS: dict[int | str, Json] = {
    415: UNSUPPORTED,
    422: _invalid(
        "The header is wrong (errors: line 1, naming the column), or rows were rejected "
        "(errors: one per rejected row, field 'line N', message why). Nothing was applied."
    ),
}

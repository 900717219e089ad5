"""A case and its instruments written in the exchange format (docs/exchange.md), from exactly
what the case reader answers (``cases.read_case``, ``instrument_models.shown``): the document
is a renaming of that answer, so it can never show an agency more than ``GET /cases/{id}`` does.
An element is left out when the answer has no value for it; ``lx:Withheld`` says why a value
exists but is not shown.

Also the parts of the published schema that the OpenAPI document shows inline (it cannot
follow the schema's own ``$ref``s).
"""

from __future__ import annotations

from typing import Any

from lexdesk.domain import exchange
from lexdesk.domain.exchange import CONTEXT, INSTRUMENTS, KIND_ELEMENTS, PERSON_KEY
from lexdesk.domain.vocabulary import InstrumentKind, Warrant
from lexdesk.entrypoints.api.cases import CaseOut
from lexdesk.entrypoints.api.instrument_models import InstrumentOut

Json = dict[str, Any]


def case_document(case: CaseOut) -> Json:
    """``GET /cases/{case_id}/exchange``: the case reader's answer, in the exchange format."""
    shown = case.model_dump(mode="json")
    written: Json = {
        "nc:CaseTrackingID": shown["id"],
        "nc:ActivityStatus": {"nc:StatusText": shown["status"]},
        "nc:ActivityDate": _date(shown["opened_at"]),
        "lx:RequestingOrganization": _organization(shown["requesting_agency"]),
        "lx:CustodialOrganization": _organization(shown["custodial_agency"]),
        "nc:Person": {
            PERSON_KEY: {
                "nc:IdentificationID": shown["person_id"],
                "nc:IdentificationCategoryText": exchange.PERSON_KEY_CATEGORY,
            }
        },
    }
    if shown["withheld"]:
        written["lx:Withheld"] = _withheld(shown["withheld"])
    return {
        "@context": dict(CONTEXT),
        "nc:Case": written,
        INSTRUMENTS: [instrument_item(i) for i in case.instruments],
    }


def issued_document(instruments: list[InstrumentOut]) -> Json:
    """The instruments a document issued, as their issuer sees them."""
    return {"@context": dict(CONTEXT), INSTRUMENTS: [instrument_item(i) for i in instruments]}


def instrument_item(instrument: InstrumentOut) -> Json:
    """One instrument under the element name of its kind."""
    shown = instrument.model_dump(mode="json")
    written: Json = {
        "nc:ActivityIdentification": {"nc:IdentificationID": shown["id"]},
        "nc:CaseTrackingID": shown["case_id"],
        "nc:ActivityStatus": {"nc:StatusText": shown["status"]},
        "lx:RequestedAction": shown["actions"],
        "j:OriginatorOrganization": _organization(shown["issuer"]),
        "j:ReceiverOrganization": _organization(shown["addressee"]),
        "lx:VersionNumeric": shown["version"],
        "lx:ProduceToOrganization": [_organization(a) for a in shown["produce_to"]],
    }
    if shown["warrant"] != Warrant.NONE.value:
        written["j:Warrant"] = {"j:WarrantCategoryText": shown["warrant"]}
    optional = {
        "lx:EscalatedFromIdentification": _identification(shown["parent_id"]),
        "nc:ActivityDate": _date(shown["issued_at"]),
        "nc:ActivityDueDate": _date(shown["due_at"]),
        "lx:DueExplanationText": shown["due_explained"],
        "nc:DocumentIdentification": _identification(shown["reference"]),
        "nc:ActivityDisposition": _disposition(shown["determination"]),
        "lx:RecordedByOrganization": _organization(shown["recorded_by"]),
        "lx:ConfirmedDate": _date(shown["confirmed_at"]),
        "lx:Withheld": _withheld(shown["withheld"]),
    }
    written.update({name: value for name, value in optional.items() if value})
    return {KIND_ELEMENTS[InstrumentKind(shown["kind"])]: written}


def _disposition(determination: Json | None) -> Json | None:
    """The answer: outcome, reason, when, who, what it released and performed, and each
    action's answer with its citations. The evaluation, an override and the explanation stay
    with the case reader (and with the answering agency)."""
    if determination is None:
        return None
    return {
        "nc:DispositionCategoryText": determination["outcome"],
        "nc:DispositionDescriptionText": determination["reason"],
        "nc:DispositionDate": _date(determination["determined_at"]),
        "lx:DeterminedBy": determination["determined_by"],
        "lx:ReleasedField": determination["released_fields"],
        "lx:PerformedAction": determination["actions_performed"],
        "lx:ActionAnswer": [
            {
                "lx:RequestedAction": a["action"],
                "lx:AnswerCode": a["answer"],
                "lx:CitationText": a["citations"],
            }
            for a in determination["answers"]
        ],
    }


def _organization(code: str | None) -> Json | None:
    return {"nc:OrganizationIdentification": {"nc:IdentificationID": code}} if code else None


def _identification(value: str | None) -> Json | None:
    return {"nc:IdentificationID": value} if value else None


def _date(moment: str | None) -> Json | None:
    return {"nc:DateTime": moment} if moment else None


def _withheld(withheld: dict[str, str]) -> dict[str, str]:
    return {exchange.withheld_element(name): why for name, why in withheld.items()}


#: The published schema's definitions sit in the OpenAPI document's components under this
#: prefix, so that a generated client names them ``ExchangeCaseExport``, ``ExchangeOrganization``.
COMPONENT_PREFIX = "Exchange"


def schema_ref(name: str) -> Json:
    """Where the OpenAPI document keeps a definition of the published schema."""
    return {"$ref": f"#/components/schemas/{COMPONENT_PREFIX}{name}"}


def schema_components() -> dict[str, Json]:
    """Every definition of the published schema, as OpenAPI components that refer to each
    other (the published file stays the one source)."""

    def moved(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                rest = {k: moved(v) for k, v in node.items() if k != "$ref"}
                return {**schema_ref(node["$ref"].rsplit("/", 1)[1]), **rest}
            return {key: moved(value) for key, value in node.items()}
        if isinstance(node, list):
            return [moved(item) for item in node]
        return node

    definitions = exchange.schema()["$defs"]
    return {f"{COMPONENT_PREFIX}{name}": moved(d) for name, d in definitions.items()}

"""The exchange format agrees with the code and the docs: the published schema's vocabularies are
the domain's, the mapping tables in docs/exchange.md are the code's, the examples are the ones
the OpenAPI document shows; an import is read into the right requests and refused place by
place; a roster row out of bounds is rejected, never stored (docs/exchange.md, docs/roster.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lexdesk.domain import exchange
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.exchange import ExchangeRefused, pointer
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    DISCLOSABLE_FIELDS,
    REQUEST_KINDS,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
)
from lexdesk.entrypoints.api.exchange_openapi import IMPORT_EXAMPLE, ROSTER_EXAMPLE
from lexdesk.services import roster
from lexdesk.services.exchange import read_import

DOCS = Path(__file__).resolve().parents[2] / "docs"
DEFS = exchange.schema()["$defs"]


def _between(text: str, name: str) -> list[tuple[str, ...]]:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"no {name} block"
    lines = [line for line in match.group(1).splitlines() if line.startswith("|")][2:]
    return [tuple(cell.strip() for cell in line.strip("|").split("|")) for line in lines]


def test_the_schema_is_valid_and_speaks_the_domains_vocabulary() -> None:
    Draft202012Validator.check_schema(exchange.schema())
    assert DEFS["Action"]["enum"] == list(ALL_ACTIONS)
    assert DEFS["Status"]["properties"]["nc:StatusText"]["enum"] == [
        s.value for s in InstrumentStatus
    ]
    outcomes = DEFS["Disposition"]["properties"]["nc:DispositionCategoryText"]["enum"]
    assert outcomes == [o.value for o in Outcome]
    released = DEFS["Disposition"]["properties"]["lx:ReleasedField"]["items"]["enum"]
    assert released == list(DISCLOSABLE_FIELDS)
    assert set(DEFS["InstrumentItem"]["properties"]) == set(exchange.KIND_ELEMENTS.values())
    requests = {exchange.KIND_ELEMENTS[k] for k in REQUEST_KINDS}
    assert set(DEFS["RequestItem"]["properties"]) == requests
    people = set(DEFS["NamedPerson"]["properties"])
    assert people == {exchange.PERSON_KEY, *exchange.SCHEME_ELEMENTS.values()}
    context = {k: v["const"] for k, v in DEFS["Context"]["properties"].items()}
    assert context == exchange.CONTEXT


def test_the_mapping_tables_in_the_docs_are_the_codes() -> None:
    text = (DOCS / "exchange.md").read_text()
    kinds = [(row[0], row[1]) for row in _between(text, "kinds")]
    assert kinds == [(k.value, exchange.KIND_ELEMENTS[k]) for k in InstrumentKind]
    people = _between(text, "identifiers")
    assert people[0][1] == exchange.PERSON_KEY
    schemes = {s.value: element for s, element in exchange.SCHEME_ELEMENTS.items()}
    assert {row[0]: row[1] for row in people[1:]} == schemes
    # Every lx: name the schema uses is in the list of those without a NIEM counterpart.
    counterparts = text.split("**No counterpart**", 1)[1].split("**Not exchanged.**", 1)[0]
    used = set(re.findall(r'"(lx:[A-Za-z]+)"', json.dumps(exchange.schema())))
    listed = set(re.findall(r"lx:[A-Za-z]+", counterparts))
    assert used <= listed, used - listed


def test_the_examples_are_the_ones_the_contract_shows() -> None:
    assert (
        json.loads((DOCS / "examples" / "instrument-exchange.json").read_text()) == IMPORT_EXAMPLE
    )
    assert (DOCS / "examples" / "roster.csv").read_text() == ROSTER_EXAMPLE


def test_the_roster_columns_in_the_docs_are_the_codes() -> None:
    text = (DOCS / "roster.md").read_text()
    table = text.split("| column | type |", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert tuple(documented) == roster.COLUMNS


def _item(person: dict[str, Any], **more: Any) -> dict[str, Any]:
    fields = {
        "j:ReceiverOrganization": {"nc:OrganizationIdentification": {"nc:IdentificationID": "doc"}},
        "nc:Person": person,
        "lx:RequestedAction": ["disclose:release_date"],
    }
    return {"lx:InformationRequest": fields | more}


def test_an_import_is_read_into_the_requests_it_names() -> None:
    document = {
        "lx:Instrument": [
            _item({"im:AlienNumberIdentification": {"nc:IdentificationID": "A012345678"}}),
            _item(
                {
                    "nc:PersonOtherIdentification": {
                        "nc:IdentificationID": "per-0123456789abcdef",
                        "nc:IdentificationCategoryText": "lexdesk",
                    }
                },
                **{
                    "j:Warrant": {"j:WarrantCategoryText": "judicial"},
                    "nc:ActivityDueDate": {"nc:DateTime": "2026-12-01T17:00:00-05:00"},
                    "nc:ActivityReasonText": "Two lines\nof note.",
                },
            ),
        ]
    }
    first, second = read_import(document)
    assert (first.kind, first.person, first.warrant) == (
        "information_request",
        "a_number:A012345678",
        "none",
    )
    assert first.path == "/lx:Instrument/0/lx:InformationRequest"
    assert (second.person, second.warrant) == ("per-0123456789abcdef", "judicial")
    assert second.return_date is not None and second.return_date.utcoffset() is not None
    assert second.reason == "Two lines\nof note."


def test_an_import_that_does_not_fit_is_refused_place_by_place() -> None:
    with pytest.raises(ExchangeRefused) as refused:
        read_import([])
    assert refused.value.problems[0].path == "/"
    document = {
        "@context": {"nc": "http://example.org/other-nc#"},
        "lx:Instrument": [
            _item({"j:PersonFBIIdentification": {"nc:IdentificationID": "x\ny"}}),
            _item({}, **{"nc:ActivityDueDate": {"nc:DateTime": "tomorrow"}}),
        ],
    }
    with pytest.raises(ExchangeRefused) as refused:
        read_import(document)
    problems = {p.path: p.message for p in refused.value.problems}
    assert refused.value.refused_by == "schema"
    assert problems["/@context/nc"].startswith("must be 'http://release.niem.gov")
    base = "/lx:Instrument/1/lx:InformationRequest"
    assert "ISO 8601" in problems[f"{base}/nc:ActivityDueDate/nc:DateTime"]
    assert "exactly one of" in problems[f"{base}/nc:Person"]
    person = "/lx:Instrument/0/lx:InformationRequest/nc:Person/j:PersonFBIIdentification"
    assert f"{person}/nc:IdentificationID" in problems
    out_of_range = {"lx:Instrument": [_item(
        {"j:PersonFBIIdentification": {"nc:IdentificationID": "1"}},
        **{"nc:ActivityDueDate": {"nc:DateTime": "2999-01-01T00:00:00Z"}},
    )]}  # fmt: skip
    with pytest.raises(ExchangeRefused) as refused:
        read_import(out_of_range)
    assert refused.value.refused_by == "rules"
    assert refused.value.problems[0].path.endswith("/nc:ActivityDueDate/nc:DateTime")


def test_a_pointer_escapes_what_rfc_6901_escapes() -> None:
    assert pointer("lx:Instrument", 0, "a/b~c") == "/lx:Instrument/0/a~1b~0c"
    assert pointer() == "/"


ROW = {
    "nysid": "12345678A",
    "family_name": "Example",
    "given_name": "Rowan",
    "arrested_on": "2026-11-20",
    "booked_at": "2026-11-20T18:30:00-05:00",
}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"family_name": "E" * 201}, "family_name is 201 characters long"),
        ({"nysid": "1" * 101}, "nysid is 101 characters long"),
        ({"given_name": "Ro\twan"}, "control character"),
        ({"family_name": "Ex\x00ample"}, "control character"),
        ({"booked_at": "0001-01-01T00:00:00+05:00"}, "between 1900 and 2200"),
        ({"arrested_on": "0999-01-01"}, "between 1900 and 2200"),
        ({"charge_offense": "NY PL " + "1" * 60}, "charge_offense is"),
    ],
)
def test_a_roster_row_out_of_bounds_is_rejected(change: dict[str, str], words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        roster.parse_row(2, ROW | change)


def test_a_roster_is_read_from_csv_text_with_its_header_checked() -> None:
    rows = roster.read_csv("\ufeff" + ROSTER_EXAMPLE)
    assert [line for line, _ in rows] == [2, 3, 4]
    assert rows[0][1]["family_name"] == "Example"
    with pytest.raises(InvalidInput, match="unknown column 'bookd_at'"):
        roster.read_csv("nysid,bookd_at\n")
    with pytest.raises(InvalidInput, match="not readable CSV"):
        roster.read_csv(
            "nysid,family_name,given_name,arrested_on,booked_at\n" + "x" * 200_000 + ",a,b,c,d\n"
        )

"""No text field takes an invisible or control character (Unicode Cc and Cf): a name cannot
hide a right-to-left override that shows a reader another name, a reason cannot forge a log
line. The refusal is a 422 naming the character and where it is; the schema's pattern says
the same, so a client can check before sending. Zero-width joiner and non-joiner stay allowed
(names in Persian and Indic scripts need them), and a reason keeps its line breaks and tabs."""

from __future__ import annotations

import re
import unicodedata

import pytest
from pydantic import TypeAdapter, ValidationError

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.api.person_models import Place
from lexdesk.entrypoints.api.schemas import ONE_LINE, SEVERAL_LINES, Name, Reason
from lexdesk.entrypoints.app import create_app
from tests.api.world import World

ALLOWED = {"\u200c", "\u200d"}
INVISIBLE = [
    chr(c)
    for c in range(0x10000)
    if unicodedata.category(chr(c)) in ("Cc", "Cf") and chr(c) not in ALLOWED
]


def test_every_invisible_character_of_the_plane_is_refused_by_name_and_place() -> None:
    names, places = TypeAdapter(Name), TypeAdapter(Place)
    for char in INVISIBLE:
        for adapter in (names, places):
            with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}.* at character 4"):
                adapter.validate_python(f"Ana{char}Lee")
        assert not re.match(ONE_LINE, f"Ana{char}Lee")  # the schema's pattern agrees


def test_what_a_text_may_keep() -> None:
    assert TypeAdapter(Name).validate_python("Mehr\u200cnaz") == "Mehr\u200cnaz"
    assert TypeAdapter(Reason).validate_python("Two lines,\n\tindented.")
    assert re.match(SEVERAL_LINES, "Two lines,\r\n\tindented.")
    with pytest.raises(ValidationError, match="U\\+202E"):
        TypeAdapter(Reason).validate_python("Declined\u202e.denrut")


def test_the_api_says_which_character_and_where(world: World) -> None:
    body = {
        "family_name": "Sample\u202eelpmas",
        "given_name": "Riley",
        "arrested_on": "2020-01-10",
        "booked_at": "2020-01-10T20:00:00Z",
        "identifiers": {"booking_number": "B-RLO-1"},
    }
    refused = world.client.post("/api/v1/persons", json=body, headers=world.auth("doc-officer"))
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["field"] == "body.family_name"
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE), at character 7" in error["message"]
    lookup = {"scheme": "booking_number", "value": "B-RLO-1"}
    found = world.client.post(
        "/api/v1/person-lookups", json=lookup, headers=world.auth("doc-officer")
    )
    assert found.status_code == 404  # nothing was booked


def test_the_document_states_the_patterns() -> None:
    """A field that refuses these characters says so in the OpenAPI document, so that a schema
    -valid request is never refused for them (schemathesis checks it the other way round)."""
    schemas = create_app(build(Settings(database_url="sqlite:///:memory:"))).openapi()[
        "components"
    ]["schemas"]
    assert schemas["BookBody"]["properties"]["family_name"]["pattern"] == ONE_LINE
    assert schemas["BookBody"]["properties"]["place_of_birth"]["pattern"] == ONE_LINE
    assert schemas["WithdrawBody"]["properties"]["reason"]["pattern"] == SEVERAL_LINES
    assert schemas["NewUser"]["properties"]["display_name"]["pattern"] == ONE_LINE

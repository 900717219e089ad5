"""The evaluation request is read strictly from the ``rules evaluate`` JSON document."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules import EvaluationRequest
from lexdesk.domain.vocabulary import InstrumentKind, Warrant

STORY: dict[str, Any] = {
    "pack": "us-ny-nyc-doc",
    "as_of": "2020-01-17",
    "instrument": {
        "kind": "detainer",
        "warrant": "judicial",
        "actions": ["hold", "notify_release"],
    },
    "person": {
        "arrested_on": "2019-11-20",
        "convictions": [
            {"offense": "NY PL 160.15", "date": "2016-03-01", "released_on": "2018-03-01"}
        ],
        "pending_charges": [{"offense": "NY PL 125.25", "date": "2020-01-10"}],
        "tsdb_match": False,
        "prior_removal": False,
        "illegal_reentry": False,
        "proof_of_status": False,
    },
}


def _with(path: str, value: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        **STORY,
        "instrument": {**STORY["instrument"]},
        "person": {**STORY["person"]},
    }
    *parents, last = path.split(".")
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value
    return doc


def test_the_contract_example_is_read() -> None:
    request = EvaluationRequest.from_json(STORY)
    assert request.instrument.kind is InstrumentKind.DETAINER
    assert request.instrument.warrant is Warrant.JUDICIAL
    assert request.person.convictions[0].window_start == date(2018, 3, 1)
    assert request.person.pending_charges[0].offense == "NY PL 125.25"


def test_person_fields_are_optional_and_default_to_false_or_empty() -> None:
    request = EvaluationRequest.from_json(
        {
            "pack": "us-tx",
            "as_of": "2020-01-17",
            "instrument": {"kind": "detainer", "actions": ["hold"]},
        }
    )
    person = request.person
    assert (person.arrested_on, person.convictions, person.tsdb_match) == (None, (), False)
    assert request.instrument.warrant is Warrant.NONE


def test_the_request_survives_a_round_trip() -> None:
    request = EvaluationRequest.from_json(STORY)
    assert EvaluationRequest.from_json(request.to_json()) == request


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_with("person.nationality", "x"), "unknown field person.nationality"),
        (_with("instrument.priority", 1), "unknown field instrument.priority"),
        (_with("instrument.kind", "letter"), "unknown instrument kind 'letter'"),
        (_with("instrument.warrant", "signed"), "unknown warrant 'signed'"),
        (
            _with("instrument.actions", ["hold", "disclose:shoe_size"]),
            "cannot disclose 'shoe_size'",
        ),
        (_with("instrument.actions", []), "at least one action"),
        (_with("instrument.actions", "hold"), "instrument.actions must be a list"),
        (_with("as_of", "17/01/2020"), "as_of must be a date written YYYY-MM-DD"),
        (_with("person.tsdb_match", "yes"), "person.tsdb_match must be true or false"),
        (
            _with("person.convictions", [{"offense": "NY PL 160.15"}]),
            "missing field person.convictions[0].date",
        ),
        (
            _with("person.convictions", [{"offense": "", "date": "2016-01-01"}]),
            "person.convictions[0].offense must be non-empty",
        ),
        (_with("pack", 7), "pack must be non-empty text"),
        ([1, 2], "request must be a JSON object"),
    ],
)
def test_bad_requests_are_refused_in_one_line(doc: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        EvaluationRequest.from_json(doc)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_offense_codes_are_normalised() -> None:
    request = EvaluationRequest.from_json(
        _with("person.convictions", [{"offense": " ny  pl 160.15 ", "date": "2016-01-01"}])
    )
    assert request.person.convictions[0].offense == "NY PL 160.15"

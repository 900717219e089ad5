"""A request document is read in one pass when it is well formed and spelled exactly, and
field by field otherwise; both readings must give the same request, and the quick one must
never accept what the strict one refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules import EvaluationRequest
from lexdesk.domain.rules.request import _read_known, _read_strictly

from .pool import request_pool

POOL = request_pool(load_catalog(), size=300)
#: A document with every optional field present, to mutate field by field.
FULL: dict[str, Any] = {
    "pack": "us-ca",
    "as_of": "2021-03-04",
    "instrument": {
        "kind": "information_request",
        "warrant": "administrative",
        "issuer": "cbp",
        "actions": ["disclose:release_date", "notify_release", "disclose:release_date"],
    },
    "person": {
        "arrested_on": "2021-02-01",
        "convictions": [
            {
                "offense": "ca pc  211",
                "date": "2015-05-05",
                "released_on": "2017-01-01",
                "level": "felony",
                "youthful_offender": False,
            }
        ],
        "pending_charges": [
            {
                "offense": "CA PC 245(A)(1)",
                "date": "2021-01-20",
                "level": "misdemeanor",
                "probable_cause_found": True,
            }
        ],
        "public_information": ["release_date", "court_dates"],
        "tsdb_match": True,
        "proof_of_status": False,
    },
}


def _set(doc: dict[str, Any], path: tuple[object, ...], value: object) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DROP = object()
#: Spellings the strict reading accepts: the quick one reads them alike or leaves them to it.
LOOSE = [
    (("pack",), " us-ca "),
    (("instrument", "kind"), " information_request"),
    (("instrument", "warrant"), "administrative "),
    (("instrument", "issuer"), " cbp"),
    (("instrument", "actions"), [" notify_release ", "", "notify_release"]),
    (("person", "convictions", 0, "level"), " felony "),
    (("person", "pending_charges", 0, "level"), "misdemeanor "),
    (("person", "public_information"), [" court_dates"]),
]
#: Mistakes, each refused with its own message.
BAD = [
    (("pack",), ""),
    (("pack",), 7),
    (("pack",), _DROP),
    (("as_of",), "2021-02-30"),
    (("as_of",), None),
    (("nationality",), "x"),
    (("instrument",), None),
    (("instrument", "kind"), "letter"),
    (("instrument", "kind"), ["detainer"]),
    (("instrument", "warrant"), None),
    (("instrument", "warrant"), {"kind": "judicial"}),
    (("instrument", "issuer"), "fbi"),
    (("instrument", "issuer"), ["ice"]),
    (("instrument", "actions"), []),
    (("instrument", "actions"), "hold"),
    (("instrument", "actions"), ["hold", 3]),
    (("instrument", "actions"), ["disclose:shoe_size"]),
    (("instrument", "priority"), 1),
    (("person",), None),
    (("person", "arrested_on"), "yesterday"),
    (("person", "arrested_on"), 20210201),
    (("person", "tsdb_match"), "yes"),
    (("person", "tsdb_match"), 1),
    (("person", "height"), 180),
    (("person", "public_information"), ["shoe_size"]),
    (("person", "public_information"), [["release_date"]]),
    (("person", "public_information"), "release_date"),
    (("person", "convictions"), {"offense": "CA PC 211"}),
    (("person", "convictions", 0, "offense"), "   "),
    (("person", "convictions", 0, "offense"), 211),
    (("person", "convictions", 0, "date"), _DROP),
    (("person", "convictions", 0, "date"), "2015-13-01"),
    (("person", "convictions", 0, "released_on"), 2017),
    (("person", "convictions", 0, "level"), "Felony"),
    (("person", "convictions", 0, "level"), ["felony"]),
    (("person", "convictions", 0, "youthful_offender"), "no"),
    (("person", "convictions", 0, "court"), "x"),
    (("person", "pending_charges", 0, "probable_cause_found"), 0),
    (("person", "pending_charges", 0, "date"), "soon"),
    (("person", "pending_charges", 0, "offense"), None),
]


def test_the_pool_is_read_in_one_pass_as_field_by_field() -> None:
    for doc in [*POOL, FULL]:
        known = _read_known(doc)
        assert known is not None
        assert known == _read_strictly(doc)
        assert known == EvaluationRequest.from_json(doc)


@pytest.mark.parametrize(("path", "value"), LOOSE)
def test_loose_spellings_are_read_as_the_strict_reading_reads_them(
    path: tuple[object, ...], value: object
) -> None:
    doc = _set(FULL, path, value)
    strict = _read_strictly(doc)
    assert _read_known(doc) in (None, strict)
    assert EvaluationRequest.from_json(doc) == strict


@pytest.mark.parametrize(("path", "value"), BAD)
def test_mistakes_are_refused_with_the_strict_message(
    path: tuple[object, ...], value: object
) -> None:
    doc = _set(FULL, path, value)
    assert _read_known(doc) is None
    with pytest.raises(InvalidInput) as strict:
        _read_strictly(doc)
    with pytest.raises(InvalidInput) as read:
        EvaluationRequest.from_json(doc)
    assert str(read.value) == str(strict.value)


def test_a_document_that_is_not_an_object_is_refused() -> None:
    for doc in ([FULL], "request", None, 3):
        assert _read_known(doc) is None
        with pytest.raises(InvalidInput, match="request must be a JSON object"):
            EvaluationRequest.from_json(doc)

"""Fuzz target 1: ``EvaluationRequest.from_json`` and the ``lexdesk rules evaluate`` path
(``json.loads``, then ``from_json``, then ``evaluate`` against the shipped catalog, then the JSON
that the command prints). The first byte picks the mode: raw JSON text as the command reads it,
or one of the valid seed requests changed in a few structured ways (so the engine is reached).
Refusals allowed to escape: ``LexdeskError`` (the command prints them as a one-line message).
"""

from __future__ import annotations

import json
from typing import Any

import atheris
from _support import json_value, mutate, run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.adapters.rule_packs import load_catalog
    from lexdesk.domain.errors import LexdeskError
    from lexdesk.domain.rules import ConflictError, EvaluationRequest, evaluate

CATALOG = load_catalog()
REQUESTS: list[dict[str, Any]] = [
    {
        "pack": "us-tx",
        "as_of": "2020-01-17",
        "instrument": {
            "kind": "detainer",
            "warrant": "administrative",
            "actions": ["hold", "notify_release"],
        },
        "person": {"arrested_on": "2019-11-20", "proof_of_status": False},
    },
    {
        "pack": "us-ny-nyc-doc",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "warrant": "judicial", "actions": ["hold"]},
        "person": {
            "arrested_on": "2019-12-01",
            "tsdb_match": False,
            "convictions": [
                {"offense": "NY PL 160.15", "date": "2015-03-02", "released_on": "2018-03-02"}
            ],
            "pending_charges": [{"offense": "NY PL 120.05", "date": "2019-12-01"}],
        },
    },
    {
        "pack": "us-ca",
        "as_of": "2020-01-17",
        "instrument": {
            "kind": "information_request",
            "actions": ["disclose:release_date", "disclose:home_address", "notify_release"],
        },
        "person": {"convictions": [{"offense": "CA PC 187", "date": "2010-05-05"}]},
    },
    {
        "pack": "us-federal",
        "as_of": "2020-01-17",
        "instrument": {"kind": "court_order", "warrant": "judicial", "actions": ["transfer"]},
    },
]
KEYS = ("pack", "as_of", "instrument", "person", "kind", "warrant", "actions", "convictions")


def evaluate_like_the_cli(document: object) -> None:
    try:
        request = EvaluationRequest.from_json(document)
        try:
            evaluation = evaluate(CATALOG, request)
        except ConflictError as conflict:
            evaluation = conflict.evaluation
        json.dumps(evaluation.to_json())
        json.dumps(request.to_json())
    except LexdeskError:
        return


def test_one_input(data: bytes) -> None:
    if not data:
        return
    if data[0] % 2 == 0:
        # As ``lexdesk rules evaluate`` reads it: text that is not UTF-8, not JSON, or nested too
        # deeply for the parser is refused before the request is read.
        try:
            document = json.loads(data[1:].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return
    else:
        fdp = atheris.FuzzedDataProvider(data[1:])
        base = fdp.PickValueInList(REQUESTS) if fdp.ConsumeIntInRange(0, 7) else json_value(fdp)
        document = mutate(base, fdp, KEYS)
    evaluate_like_the_cli(document)


if __name__ == "__main__":
    seeds = [b"\x00" + json.dumps(request).encode() for request in REQUESTS]
    seeds += [b"\x01" + bytes(range(i, i + 16)) for i in range(0, 64, 16)]
    run(test_one_input, seeds)

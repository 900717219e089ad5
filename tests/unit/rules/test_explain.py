"""The explanation: deciding rule, overridden rules, failed conditions, citations, duties,
and ``missing``, checked against brute force (change one fact, evaluate again)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.rules import EvaluationRequest, evaluate
from lexdesk.domain.rules.schema import EFFECT_RANK
from lexdesk.domain.vocabulary import ALL_ACTIONS, CUSTODIAN_ADDRESSED_KINDS, Warrant

from .builders import catalog, pack, request, rule

FLAGS = ("tsdb_match", "prior_removal", "illegal_reentry", "proof_of_status")
LOCAL_PACKS = ("us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ca", "us-tx")
OFFENSES = ("NY PL 160.15", "NY PL 120.05", "NY PL 155.30", "CA PC 211", "CA PC 484", "TX PC 22.02")


def _story(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "pack": "us-ny-nyc-doc",
        "as_of": "2020-01-17",
        "instrument": {
            "kind": "detainer",
            "warrant": "administrative",
            "actions": ["hold", "notify_release"],
        },
        "person": {
            "arrested_on": "2019-11-20",
            "convictions": [
                {"offense": "NY PL 160.15", "date": "2016-03-01", "released_on": "2018-03-01"}
            ],
        },
    }
    doc["instrument"].update(changes)
    return doc


def test_the_contract_keys_are_all_there() -> None:
    document = evaluate(load_catalog(), EvaluationRequest.from_json(_story())).to_json()
    assert {
        "pack",
        "pack_version",
        "as_of",
        "outcome",
        "actions",
        "reasons",
        "missing",
    } <= document.keys()
    assert (document["pack"], document["pack_version"], document["as_of"]) == (
        "us-ny-nyc-doc",
        "2014-12-14",
        "2020-01-17",
    )
    hold = document["actions"]["hold"]
    assert {"status", "rule", "citation", "overrode", "failed", "citations"} <= hold.keys()
    assert document["content_hash"] == load_catalog().get("us-ny-nyc-doc").content_hash


def test_failed_conditions_say_what_was_seen() -> None:
    document = evaluate(load_catalog(), EvaluationRequest.from_json(_story())).to_json()
    assert document["actions"]["hold"]["failed"] == [
        {
            "rule": "NYC-DOC-HOLD-02",
            "conditions": ["instrument.warrant is judicial (was administrative)"],
        }
    ]
    assert (
        "hold: NYC-DOC-HOLD-02 does not apply: instrument.warrant is judicial (was administrative)"
        in document["reasons"]
    )


def test_a_failed_any_lists_every_alternative() -> None:
    doc = _story(warrant="judicial")
    doc["person"]["convictions"] = []
    hold = evaluate(load_catalog(), EvaluationRequest.from_json(doc)).to_json()["actions"]["hold"]
    (failure,) = hold["failed"][0]["conditions"]
    assert failure.startswith(
        "none of: a conviction listed in violent_or_serious_crimes within 5 years"
    )
    assert "person.tsdb_match is true (was false)" in failure


def test_citations_cover_the_deciding_and_the_overridden_rules() -> None:
    doc = _story()
    doc["instrument"]["actions"] = ["disclose:citizenship_status"]
    document = evaluate(load_catalog(), EvaluationRequest.from_json(doc)).to_json()
    decision = document["actions"]["disclose:citizenship_status"]
    # § 9-131(h)(1) leaves status out; § 10-178's bar is what the federal floor overrides.
    assert (decision["rule"], decision["overrode"]) == ("FED-INFO-01", ["NYC-10178-01"])
    assert decision["citations"][0].startswith("8 U.S.C. § 1373")
    assert any("10-178" in c for c in document["citations"])


def test_missing_names_the_judicial_warrant() -> None:
    evaluation = evaluate(load_catalog(), EvaluationRequest.from_json(_story()))
    assert evaluation.missing() == [
        {
            "fact": "instrument.warrant",
            "value": "judicial",
            "label": "a judicial warrant (signed by a federal judge or magistrate judge)",
            # § 9-131(b)(1): honoring a detainer by notification needs the warrant too.
            "actions": {"hold": "permitted", "notify_release": "permitted"},
        }
    ]


def test_to_json_hands_out_copies() -> None:
    evaluation = evaluate(load_catalog(), EvaluationRequest.from_json(_story()))
    evaluation.to_json()["actions"]["notify_release"]["overrode"].append("tampered")
    assert evaluation.to_json()["actions"]["notify_release"]["overrode"] == [
        "NYC-DOC-INFO-01",
        "NYC-DOC-INFO-02",
        "NYC-10178-01",
    ]


def test_duties_are_reported_with_the_statuses_they_follow() -> None:
    doc = {
        "pack": "us-tx",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "actions": ["hold", "notify_release"]},
    }
    document = evaluate(load_catalog(), EvaluationRequest.from_json(doc)).to_json()
    assert [d["id"] for d in document["actions"]["hold"]["duties"]] == ["TX-INFORM-01"]
    assert document["actions"]["notify_release"]["duties"] == []
    doc["person"] = {"proof_of_status": True}
    document = evaluate(load_catalog(), EvaluationRequest.from_json(doc)).to_json()
    assert document["actions"]["hold"]["duties"] == []


def test_missing_finds_the_fact_that_lifts_an_exception() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("DUTY", "required"),
            rule(
                "LIFTED",
                "permitted",
                exception_to=["DUTY"],
                when={"fact": "person.proof_of_status"},
            ),
        )
    )
    evaluation = evaluate(rules, request(proof_of_status=True))
    assert evaluation.missing() == [
        {
            "fact": "person.proof_of_status",
            "value": False,
            "label": "no proof of U.S. citizenship or lawful immigration status",
            "actions": {"hold": "required"},
        }
    ]


def test_missing_leaves_out_changes_that_end_in_a_conflict() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("A", "prohibited"),
            rule("B", "permitted", when={"fact": "person.tsdb_match"}),
        )
    )
    with pytest.raises(Exception, match="conflict"):
        evaluate(rules, request(tsdb_match=True))
    assert evaluate(rules, request()).missing() == []


# Brute force: every single-fact change the request shape allows, evaluated from scratch.


def _variants(doc: dict[str, Any]) -> list[tuple[str, object, dict[str, Any]]]:
    out = []
    for warrant in Warrant:
        if warrant.value != doc["instrument"]["warrant"]:
            changed = {**doc, "instrument": {**doc["instrument"], "warrant": warrant.value}}
            out.append(("instrument.warrant", warrant.value, changed))
    for flag in FLAGS:
        value = not doc["person"].get(flag, False)
        out.append((f"person.{flag}", value, {**doc, "person": {**doc["person"], flag: value}}))
    pack_doc = load_catalog().get(doc["pack"]).latest
    anchor = doc["person"].get("arrested_on", doc["as_of"])
    for name, table in pack_doc.tables.items():
        conviction = {"offense": table.entries[0].offense, "date": anchor}
        person = {**doc["person"], "convictions": [*doc["person"]["convictions"], conviction]}
        out.append(("person.convictions", name, {**doc, "person": person}))
    return out


def _statuses(doc: dict[str, Any]) -> dict[str, str] | None:
    try:
        evaluation = evaluate(load_catalog(), EvaluationRequest.from_json(doc))
    except Exception:  # a conflict or no rule: never offered as missing
        return None
    return {a: d.status for a, d in evaluation.decisions.items()}


convictions = st.lists(
    st.builds(
        lambda offense, day, served: (
            {"offense": offense, "date": day.isoformat()}
            | ({"released_on": (day + timedelta(days=served)).isoformat()} if served else {})
        ),
        st.sampled_from(OFFENSES),
        st.dates(date(2008, 1, 1), date(2019, 11, 1)),
        st.sampled_from([0, 0, 400, 2000]),
    ),
    max_size=3,
)
requests = st.builds(
    lambda pack_id, kind, warrant, actions, flags, convs: {
        "pack": pack_id,
        "as_of": "2020-01-17",
        "instrument": {"kind": kind.value, "warrant": warrant.value, "actions": actions},
        "person": {"arrested_on": "2019-11-20", "convictions": convs} | flags,
    },
    st.sampled_from(LOCAL_PACKS),
    st.sampled_from(sorted(CUSTODIAN_ADDRESSED_KINDS)),
    st.sampled_from(list(Warrant)),
    st.lists(st.sampled_from(ALL_ACTIONS), min_size=1, max_size=4, unique=True),
    st.fixed_dictionaries({}, optional={flag: st.booleans() for flag in FLAGS}),
    convictions,
)


@settings(max_examples=300, deadline=None)
@given(requests)
def test_missing_agrees_with_brute_force(doc: dict[str, Any]) -> None:
    now = _statuses(doc)
    assert now is not None
    expected: dict[tuple[str, str], dict[str, str]] = {}
    for fact, value, changed in _variants(doc):
        after = _statuses(changed)
        if after is None:
            continue
        raised = {a: s for a, s in after.items() if EFFECT_RANK[s] > EFFECT_RANK[now[a]]}
        if raised:
            expected[(fact, repr(value))] = raised
    found: dict[tuple[str, str], dict[str, str]] = {}
    for entry in evaluate(load_catalog(), EvaluationRequest.from_json(doc)).missing():
        value = (
            entry["value"]["offense_in"]
            if entry["fact"] == "person.convictions"
            else entry["value"]
        )
        found.setdefault((entry["fact"], repr(value)), {}).update(entry["actions"])
    assert found == expected

"""The explanation: deciding rule, overridden rules, failed conditions, citations, duties,
and ``missing``, checked against brute force (change one fact, evaluate again)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.rules import EvaluationRequest, evaluate
from lexdesk.domain.rules.request import ISSUERS, PERSON_FLAGS, Charge, Conviction
from lexdesk.domain.rules.schema import EFFECT_RANK
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    CUSTODIAN_ADDRESSED_KINDS,
    DISCLOSABLE_FIELDS,
    Warrant,
)

from .builders import catalog, pack, request, rule

LOCAL_PACKS = ("us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ny-nyc-dop", "us-ca", "us-tx")
OFFENSES = (
    "NY PL 160.15", "NY PL 120.05", "NY PL 155.30", "NY PL 110/160.15", "NY PL 230.34-A",
    "CA PC 211", "CA PC 484", "CA PC 245(A)(4)", "CA PC 459.5", "CA HS 11352", "TX PC 22.02",
)  # fmt: skip


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
    out: list[tuple[str, object, dict[str, Any]]] = []
    instrument, person = doc["instrument"], doc["person"]
    for fact, key, values in (
        ("instrument.warrant", "warrant", [w.value for w in Warrant]),
        ("instrument.issuer", "issuer", list(ISSUERS)),
    ):
        for value in values:
            if value != instrument.get(key, {"issuer": "ice"}.get(key, "none")):
                out.append((fact, value, {**doc, "instrument": {**instrument, key: value}}))
    for flag in PERSON_FLAGS:
        value = not person.get(flag, False)
        out.append((f"person.{flag}", value, {**doc, "person": {**person, flag: value}}))
    for field in DISCLOSABLE_FIELDS:
        public = person.get("public_information", [])
        if field not in public:
            changed = {**person, "public_information": [*public, field]}
            out.append(("person.public_information", field, {**doc, "person": changed}))
    return out + _record_variants(doc)


def _record_variants(doc: dict[str, Any]) -> list[tuple[str, object, dict[str, Any]]]:
    """Each conviction or charge condition in scope, met by the record the engine would
    assume (its witness), added to the request."""
    request = EvaluationRequest.from_json(doc)
    pack, facts = load_catalog().get(doc["pack"]), request.facts()
    out: dict[str, tuple[str, object, dict[str, Any]]] = {}
    for action in request.instrument.actions:
        plan = pack.plan(request.instrument.kind, action, request.as_of)
        for hypothesis in plan.hypotheses:
            record = hypothesis.record
            witness = record.witness(facts) if record is not None else None
            if record is None or witness is None:
                continue
            key = "convictions" if isinstance(witness, Conviction) else "pending_charges"
            added = {"offense": witness.offense, "date": witness.date.isoformat()}
            added |= {"level": witness.level} if witness.level else {}
            if isinstance(witness, Charge) and witness.probable_cause_found:
                added["probable_cause_found"] = True
            changed = {**doc["person"], key: [*doc["person"].get(key, []), added]}
            value = json.dumps(hypothesis.value, sort_keys=True)
            out[hypothesis.fact + value] = (hypothesis.fact, value, {**doc, "person": changed})
    return list(out.values())


def _statuses(doc: dict[str, Any]) -> dict[str, str] | None:
    try:
        evaluation = evaluate(load_catalog(), EvaluationRequest.from_json(doc))
    except Exception:  # a conflict or no rule: never offered as missing
        return None
    return {a: d.status for a, d in evaluation.decisions.items()}


records = st.lists(
    st.builds(
        lambda offense, day, served, level: (
            {"offense": offense, "date": day.isoformat()}
            | ({"released_on": (day + timedelta(days=served)).isoformat()} if served else {})
            | ({"level": level} if level else {})
        ),
        st.sampled_from(OFFENSES),
        st.dates(date(2003, 1, 1), date(2019, 11, 1)),
        st.sampled_from([0, 0, 400, 2000]),
        st.sampled_from([None, "felony", "misdemeanor"]),
    ),
    max_size=3,
)
requests = st.builds(
    lambda pack_id, kind, warrant, issuer, actions, flags, convs, charges, public: {
        "pack": pack_id,
        "as_of": "2020-01-17",
        "instrument": {
            "kind": kind.value,
            "warrant": warrant.value,
            "issuer": issuer,
            "actions": actions,
        },
        "person": {
            "arrested_on": "2019-11-20",
            "convictions": convs,
            "pending_charges": [
                {"offense": c["offense"], "date": "2019-11-20", "probable_cause_found": True}
                for c in charges
            ],
            "public_information": public,
        }
        | flags,
    },
    st.sampled_from(LOCAL_PACKS),
    st.sampled_from(sorted(CUSTODIAN_ADDRESSED_KINDS)),
    st.sampled_from(list(Warrant)),
    st.sampled_from(ISSUERS),
    st.lists(st.sampled_from(ALL_ACTIONS), min_size=1, max_size=4, unique=True),
    st.fixed_dictionaries({}, optional={flag: st.booleans() for flag in PERSON_FLAGS}),
    records,
    st.lists(st.sampled_from([{"offense": o} for o in OFFENSES]), max_size=1),
    st.lists(st.sampled_from(DISCLOSABLE_FIELDS), max_size=2, unique=True),
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
            key = (
                value
                if isinstance(value, str) and fact.endswith(("convictions", "charges"))
                else repr(value)
            )
            expected[(fact, key)] = raised
    found: dict[tuple[str, str], dict[str, str]] = {}
    for entry in evaluate(load_catalog(), EvaluationRequest.from_json(doc)).missing():
        value = entry["value"]
        key = json.dumps(value, sort_keys=True) if isinstance(value, dict) else repr(value)
        found.setdefault((entry["fact"], key), {}).update(entry["actions"])
    assert found == expected

"""The shipped packs: every vector beside every pack passes, every rule and duty decides in
at least one vector, and every local pack (with the federal layer) decides every kind and
action addressed to a custodial agency, without conflict, on any date it is in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.adapters.rule_packs import load_catalog, load_vectors
from lexdesk.domain.rules import EvaluationRequest, evaluate
from lexdesk.domain.rules.vectors import Expectation, Vector, run_vector, run_vectors, uncovered
from lexdesk.domain.vocabulary import ALL_ACTIONS, CUSTODIAN_ADDRESSED_KINDS, Warrant

PACKS = ("us-federal", "us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ca", "us-tx")
LOCAL_PACKS = PACKS[1:]


def _all_vectors() -> list[Vector]:
    return [vector for pack_id in PACKS for vector in load_vectors(pack_id)]


def test_the_catalog_ships_the_five_packs() -> None:
    assert load_catalog().ids() == tuple(sorted(PACKS))


@pytest.mark.parametrize("pack_id", LOCAL_PACKS)
def test_the_federal_layer_lies_beneath_every_local_pack(pack_id: str) -> None:
    pack = load_catalog().get(pack_id)
    assert [layer.id for layer in pack.layers] == ["us-federal"]


@pytest.mark.parametrize(
    "vector", _all_vectors(), ids=lambda v: v.where.split(":")[0] + ":" + v.name
)
def test_vector(vector: Vector) -> None:
    result = run_vector(load_catalog(), vector)
    assert result.passed, "\n".join(result.problems)


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_rule_and_duty_decides_in_some_vector(pack_id: str) -> None:
    catalog = load_catalog()
    results = run_vectors(catalog, load_vectors(pack_id))
    assert uncovered(catalog.get(pack_id), results) == []


@pytest.mark.parametrize("pack_id", PACKS)
def test_each_pack_has_at_least_15_vectors_with_an_effective_date_boundary(pack_id: str) -> None:
    vectors = load_vectors(pack_id)
    assert len(vectors) >= 15
    first_day = load_catalog().get(pack_id).versions[0].effective_from
    dates = {v.input["as_of"] for v in vectors}
    assert (first_day - timedelta(days=1)).isoformat() in dates


def test_a_vector_that_fails_says_why() -> None:
    (vector, *_) = load_vectors("us-tx")
    expect = Expectation(None, "must_not_comply", {"hold": ("prohibited", "TX-HOLD-01")}, None)
    problems = run_vector(load_catalog(), replace(vector, expect=expect)).problems
    assert problems == (
        "outcome: expected must_not_comply, got must_comply",
        "hold: expected prohibited under TX-HOLD-01, got required under TX-HOLD-01",
    )
    error = Expectation("conflict", None, {}, None)
    assert run_vector(load_catalog(), replace(vector, expect=error)).problems == (
        "expected conflict, got must_comply",
    )


def test_every_nyc_list_entry_has_a_citation_and_a_verification_status() -> None:
    for pack_id in ("us-ny-nyc-doc", "us-ny-nyc-nypd"):
        listed = load_catalog().get(pack_id).latest.tables["violent_or_serious_crimes"]
        assert len(listed.entries) >= 30
        for entry in listed.entries:
            assert entry.citation and entry.verification.source
            assert entry.verification.status == "unconfirmed"  # § 9-131(a)(7) not yet read


def test_the_two_nyc_lists_are_the_same_list() -> None:
    doc, nypd = (
        load_catalog().get(p).latest.tables["violent_or_serious_crimes"] for p in LOCAL_PACKS[:2]
    )
    assert [e.offense for e in doc.entries] == [e.offense for e in nypd.entries]


people = st.fixed_dictionaries(
    {"arrested_on": st.just("2019-11-20")},
    optional={
        "tsdb_match": st.booleans(),
        "prior_removal": st.booleans(),
        "illegal_reentry": st.booleans(),
        "proof_of_status": st.booleans(),
        "convictions": st.lists(
            st.fixed_dictionaries(
                {
                    "offense": st.sampled_from(
                        ["NY PL 160.15", "NY PL 155.30", "CA PC 211", "TX PC 1"]
                    ),
                    "date": st.dates(date(2000, 1, 1), date(2019, 11, 1)).map(date.isoformat),
                }
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=60, deadline=None)
@given(
    pack_id=st.sampled_from(LOCAL_PACKS),
    as_of=st.dates(date(2018, 1, 1), date(2030, 12, 31)),
    warrant=st.sampled_from(list(Warrant)),
    person=people,
)
def test_every_local_pack_decides_every_kind_and_action(
    pack_id: str, as_of: date, warrant: Warrant, person: dict[str, Any]
) -> None:
    catalog = load_catalog()
    for kind in sorted(CUSTODIAN_ADDRESSED_KINDS):
        doc = {
            "pack": pack_id,
            "as_of": as_of.isoformat(),
            "instrument": {
                "kind": kind.value,
                "warrant": warrant.value,
                "actions": list(ALL_ACTIONS),
            },
            "person": person,
        }
        evaluation = evaluate(catalog, EvaluationRequest.from_json(doc))  # no error, no conflict
        assert set(evaluation.decisions) == set(ALL_ACTIONS)

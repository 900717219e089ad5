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
from lexdesk.domain.rules.request import ISSUERS, PERSON_FLAGS
from lexdesk.domain.rules.vectors import Expectation, Vector, run_vector, run_vectors, uncovered
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    CUSTODIAN_ADDRESSED_KINDS,
    DISCLOSABLE_FIELDS,
    Warrant,
)

PACKS = load_catalog().ids()
LAYERS = frozenset(layer.id for pack in load_catalog() for layer in pack.layers)
#: The packs an agency answers under: every pack no other pack lies on.
LOCAL_PACKS = tuple(p for p in PACKS if p not in LAYERS)


def _all_vectors() -> list[Vector]:
    return [vector for pack_id in PACKS for vector in load_vectors(pack_id)]


def test_the_catalog_ships_the_packs() -> None:
    assert {"us-federal", "us-ny", "us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ca", "us-tx"} <= set(
        PACKS
    )
    assert {"us-federal", "us-ny"} == LAYERS


def _beneath(pack_id: str) -> list[str]:
    pack = load_catalog().get(pack_id)
    return [layer.id for layer in pack.layers] + [
        below for layer in pack.layers for below in _beneath(layer.id)
    ]


@pytest.mark.parametrize("pack_id", [p for p in PACKS if p != "us-federal"])
def test_the_federal_layer_lies_beneath_every_other_pack_once(pack_id: str) -> None:
    assert _beneath(pack_id).count("us-federal") == 1


@pytest.mark.parametrize("pack_id", [p for p in PACKS if p.startswith("us-ny-nyc")])
def test_the_new_york_city_packs_lie_on_the_state_layer(pack_id: str) -> None:
    assert _beneath(pack_id) == ["us-ny", "us-federal"]


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


NYC = ("us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ny-nyc-dop")


def test_every_nyc_list_entry_has_a_citation_and_a_verification_status() -> None:
    for pack_id in NYC:
        listed = load_catalog().get(pack_id).latest.tables["violent_or_serious_crimes"]
        assert len(listed.entries) == 163  # (i)'s 161 sections and subdivisions, (ii), (iv)
        for entry in listed.entries:
            assert entry.citation and entry.verification.source
        unconfirmed = [e.offense for e in listed.entries if e.verification.status != "verified"]
        assert unconfirmed == ["NY PL 230.34-A"]  # added to the Penal Law after 2014


def test_the_nyc_lists_are_the_same_list() -> None:
    doc, nypd, dop = (load_catalog().get(p).latest.tables["violent_or_serious_crimes"] for p in NYC)
    assert [e.offense for e in doc.entries] == [e.offense for e in nypd.entries]
    assert [e.offense for e in doc.entries] == [e.offense for e in dop.entries]


OFFENSES = ["NY PL 160.15", "NY PL 110/160.15", "NY PL 155.30", "CA PC 211", "CA PC 459.5",
            "CA HS 11352", "CA PC 245(A)(1)", "TX PC 1", "IL 720 ILCS 5/12-3.05"]  # fmt: skip
records = st.fixed_dictionaries(
    {
        "offense": st.sampled_from(OFFENSES),
        "date": st.dates(date(2000, 1, 1), date(2019, 11, 1)).map(date.isoformat),
    },
    optional={"level": st.sampled_from(["felony", "misdemeanor"])},
)
people = st.fixed_dictionaries(
    {"arrested_on": st.just("2019-11-20")},
    optional={
        **{flag: st.booleans() for flag in PERSON_FLAGS},
        "convictions": st.lists(
            records.map(lambda r: r | {"youthful_offender": r["offense"].endswith("5")}),
            max_size=3,
        ),
        "pending_charges": st.lists(
            records.map(lambda r: r | {"probable_cause_found": r["offense"].startswith("CA")}),
            max_size=2,
        ),
        "public_information": st.lists(st.sampled_from(DISCLOSABLE_FIELDS), max_size=3),
    },
)


@settings(max_examples=120, deadline=None)
@given(
    pack_id=st.sampled_from(LOCAL_PACKS),
    as_of=st.dates(date(2010, 1, 1), date(2030, 12, 31)),
    warrant=st.sampled_from(list(Warrant)),
    issuer=st.sampled_from(ISSUERS),
    person=people,
)
def test_every_local_pack_decides_every_kind_and_action(
    pack_id: str, as_of: date, warrant: Warrant, issuer: str, person: dict[str, Any]
) -> None:
    catalog = load_catalog()
    as_of = max(as_of, catalog.get(pack_id).versions[0].effective_from)
    for kind in sorted(CUSTODIAN_ADDRESSED_KINDS):
        doc = {
            "pack": pack_id,
            "as_of": as_of.isoformat(),
            "instrument": {
                "kind": kind.value,
                "warrant": warrant.value,
                "issuer": issuer,
                "actions": list(ALL_ACTIONS),
            },
            "person": person,
        }
        evaluation = evaluate(catalog, EvaluationRequest.from_json(doc))  # no error, no conflict
        assert set(evaluation.decisions) == set(ALL_ACTIONS)

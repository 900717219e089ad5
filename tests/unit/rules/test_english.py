"""The evaluation in legal English (``domain/rules/english.py``): generated from the rules and
the phrasebook, never written per rule. Every fact, list and action a shipped pack speaks of
has a phrase; every rule of every pack reads as sentences with no code in them; a few rules
read word for word as a lawyer would write them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.adapters.rule_packs import load_catalog, load_vectors
from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.rules import ConflictError, EvaluationRequest, evaluate
from lexdesk.domain.rules import phrasebook as pb
from lexdesk.domain.rules.conditions import Compare, Condition
from lexdesk.domain.rules.english import Explanation, condition_phrase, explain
from lexdesk.domain.rules.records import ChargePending, ConvictionIn
from lexdesk.domain.rules.request import ISSUERS, PERSON_FLAGS
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    CUSTODIAN_ADDRESSED_KINDS,
    DISCLOSABLE_FIELDS,
    InstrumentKind,
    Warrant,
)

CATALOG = load_catalog()
PACKS = CATALOG.ids()
#: What code looks like: braces, identifiers with underscores, Python's words and reprs.
CODE = re.compile(
    r"[{}\[\]<>]|\b[a-z0-9]+_[a-z0-9_]+\b|\bis true\b|\bis false\b|\bNone\b|\bTrue\b|\bFalse\b"
    r"|\bperson\.|\binstrument\.|'[a-z_]+'|\(was "
)


def _conditions() -> list[tuple[str, str, Condition]]:
    found = []
    for pack in CATALOG:
        for version in pack.versions:
            for rule in version.rules:
                if rule.when is not None:
                    found.append((pack.id, rule.id, rule.when))
            for duty in version.duties:
                if duty.when is not None:
                    found.append((pack.id, duty.id, duty.when))
    return found


CONDITIONS = _conditions()
TSDB_FACT = {"fact": "person.tsdb_match"}


def _readable(text: str, where: str) -> None:
    assert text, where
    assert not CODE.search(text), f"{where}: code in {text!r}: {CODE.search(text)}"
    assert text[0].isupper() or text[0].isdigit(), f"{where}: {text!r} starts lower-case"
    assert text.endswith("."), f"{where}: {text!r} is not a sentence"
    assert "  " not in text and ".." not in text, f"{where}: {text!r}"


def _explained(document: dict[str, Any]) -> Explanation:
    request = EvaluationRequest.from_json(document)
    try:
        evaluation = evaluate(CATALOG, request)
    except ConflictError as conflict:
        evaluation = conflict.evaluation
    return explain(evaluation, CATALOG.get(request.pack))


def test_every_fact_list_and_action_of_the_shipped_packs_has_a_phrase() -> None:
    assert CONDITIONS
    for pack_id, rule_id, when in CONDITIONS:
        for leaf in when.leaves():
            where = f"{pack_id} {rule_id}"
            if isinstance(leaf, Compare):
                if leaf.path == pb.PUBLIC:
                    continue
                if leaf.operation == "fact":
                    assert leaf.path in pb.FLAGS, where
                elif leaf.operation in ("eq", "in"):
                    for value in leaf.values:
                        assert (leaf.path, value) in pb.CHOICES, (where, leaf.path, value)
                else:
                    assert leaf.path in pb.DATES, where
            else:
                assert isinstance(leaf, ConvictionIn | ChargePending), where
                for table in (leaf.filter.table, leaf.filter.not_in):
                    if table is not None:
                        assert table.name in pb.LISTS, (where, table.name)
                if leaf.filter.klass is not None:
                    assert leaf.filter.klass in pb.CLASSES, where
    for flag in PERSON_FLAGS:  # every flag a person's record can carry, used or not
        assert pb.flag(f"person.{flag}")
    for action in ALL_ACTIONS:
        assert pb.action(action)
    for kind in InstrumentKind:
        assert pb.kind(kind.value)


def test_a_fact_without_a_phrase_fails_rather_than_showing_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(pb.FLAGS, "person.tsdb_match")
    monkeypatch.delitem(pb.LISTS, "violent_or_serious_crimes")
    failing = [
        (pack, rule)
        for pack, rule, when in CONDITIONS
        if _raises(lambda w=when: condition_phrase(w))  # type: ignore[misc]
    ]
    assert ("us-ny-nyc-doc", "NYC-DOC-HOLD-02") in failing


def _raises(call: Any) -> bool:
    try:
        call()
    except pb.MissingPhrase:
        return True
    return False


@pytest.mark.parametrize("found", CONDITIONS, ids=lambda c: f"{c[0]}:{c[1]}")
def test_every_condition_of_every_pack_reads_as_words(found: tuple[str, str, Condition]) -> None:
    pack_id, rule_id, when = found
    phrase = condition_phrase(when, "disclose:release_date")
    _readable(pb.sentence(f"Applies only with {phrase}"), f"{pack_id} {rule_id}")


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_vector_of_every_pack_explains_itself_in_sentences(pack_id: str) -> None:
    """The vectors make every rule and duty decide (tests/unit/rules/test_packs.py), so this
    reads every rule of every pack as the deciding one, and the rules around it as failing or
    overridden."""
    explained = 0
    for vector in load_vectors(pack_id):
        document = {"pack": pack_id, **vector.input}
        try:
            explanation = _explained(document)
        except LexdeskError as error:  # invalid input and no rule in force are vectors too
            if vector.expect.error:
                continue
            raise AssertionError(f"{vector.name}: {error}") from error
        explained += 1
        for sentence in explanation.sentences():
            _readable(sentence, f"{pack_id} {vector.name}")
        for action in explanation.actions:
            if action.verification is not None:
                assert action.verification.url.startswith("http"), vector.name
                assert action.verification.status in ("verified", "unconfirmed")
    assert explained >= 5


def _doc(person: dict[str, Any], warrant: str = "administrative", **more: Any) -> dict[str, Any]:
    return {
        "pack": "us-ny-nyc-doc",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "warrant": warrant, "actions": ["hold"]} | more,
        "person": {"arrested_on": "2019-11-20"} | person,
    }


def test_golden_the_nyc_hold_condition_reads_as_the_law() -> None:
    rule = next(r for _, r in CATALOG.get("us-ny-nyc-doc").all_rules() if r.id == "NYC-DOC-HOLD-02")
    assert rule.spec.when is not None
    assert pb.sentence(f"Applies only with {condition_phrase(rule.spec.when)}") == (
        "Applies only with a judicial warrant and either a conviction for a listed violent or "
        "serious crime within 5 years of the arrest or a possible match in the terrorist "
        "screening database."
    )


def test_golden_a_declined_hold_names_what_is_missing_and_why() -> None:
    hold = _explained(_doc({"convictions": []})).actions[0]
    assert hold.status == "prohibited"
    assert hold.decision == (
        "Holding the person past the time of release is prohibited under N.Y.C. Admin. Code "
        "§ 9-131(b)(1): DOC does not hold a person on a civil immigration detainer."
    )
    assert any(
        s.startswith("N.Y.C. Admin. Code § 9-131(b)(1)(i)-(ii), (a)(2) does not apply")
        and "it applies only with a judicial warrant and either a conviction" in s
        and "The detainer came with an administrative warrant." in s
        and "No conviction is recorded." in s
        and "The record does not show a possible match in the terrorist screening database." in s
        for s in hold.not_applying
    ), hold.not_applying
    assert hold.verification is not None and hold.verification.status == "verified"
    assert hold.verification.text.startswith(
        "Verified: the text of N.Y.C. Admin. Code § 9-131(b)(1) was transcribed from the law"
    )


def test_golden_the_qualifying_conviction_is_named() -> None:
    person = {
        "tsdb_match": False,
        "convictions": [
            {"offense": "NY PL 160.15", "date": "2016-03-01", "released_on": "2018-03-01"},
            {"offense": "NY PL 155.25", "date": "2019-01-01"},
        ],
    }
    hold = _explained(_doc(person, warrant="judicial")).actions[0]
    assert hold.status == "permitted"
    assert (
        "The conviction for NY PL 160.15 (Robbery in the first degree), entered on March 1, "
        "2016 (released from its sentence on March 1, 2018), qualifies as a conviction for a "
        "listed violent or serious crime within 5 years of the arrest." in hold.reasons
    )
    assert "The detainer came with a judicial warrant." in hold.reasons
    assert "NY PL 155.25" not in " ".join(hold.reasons)
    assert (
        "It is an exception to N.Y.C. Admin. Code § 9-131(b)(1) (DOC does not hold a person on "
        "a civil immigration detainer), which therefore gives way." in hold.reasons
    )
    assert any("A hold may last at most 48 hours" in n for n in hold.notes)


def test_golden_a_conviction_too_old_says_by_how_much() -> None:
    person = {"convictions": [{"offense": "NY PL 120.10", "date": "2014-11-19"}]}
    hold = _explained(_doc(person, warrant="judicial")).actions[0]
    assert hold.status == "prohibited"
    text = " ".join(hold.not_applying)
    assert (
        "The conviction for NY PL 120.10 (Assault in the first degree), entered on November 19, "
        "2014, is not a conviction for a listed violent or serious crime within 5 years of the "
        "arrest: more than 5 years passed between the judgment on November 19, 2014 and the "
        "arrest on November 20, 2019." in text
    )
    assert hold.would_change == (
        "With a conviction for a listed violent or serious crime within 5 years of the arrest, "
        "holding the person past the time of release would be permitted.",
        "With a possible match in the terrorist screening database, holding the person past "
        "the time of release would be permitted.",
    )


def test_golden_an_unconfirmed_provision_says_so_with_its_source() -> None:
    document = {
        "pack": "us-co",
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "warrant": "administrative", "actions": ["hold"]},
    }
    hold = _explained(document).actions[0]
    assert hold.verification is not None
    assert hold.verification.status == "unconfirmed"
    assert hold.verification.text.startswith("Unconfirmed: the text of C.R.S. §§ 24-76.6-102(2)")
    assert "was not checked against an official copy of the law" in hold.verification.text
    assert hold.verification.url.startswith("https://")
    assert "That provision applies only without a judicial warrant." in hold.reasons


def test_an_unconfirmed_list_entry_the_answer_rests_on_is_named() -> None:
    person = {"convictions": [{"offense": "NY PL 230.34-A", "date": "2019-01-01"}]}
    hold = _explained(_doc(person, warrant="judicial")).actions[0]
    assert hold.status == "permitted"
    assert any(
        n.startswith("The answer rests on NY PL 230.34-A being a listed violent or serious crime")
        for n in hold.notes
    )


def test_the_explanation_is_json_for_the_api_and_paragraphs_for_a_letter() -> None:
    explanation = _explained(_doc({}))
    data = explanation.to_json()
    assert data["summary"].startswith("Under the law of New York City, New York in force on")
    assert data["actions"][0]["action"] == "hold"
    assert data["actions"][0]["verification"]["status"] == "verified"
    paragraphs = explanation.paragraphs()
    assert paragraphs[0] == data["summary"] and paragraphs[1].startswith("Holding the person")


def test_a_contradiction_of_the_evaluation_reads_as_a_sentence() -> None:
    from lexdesk.domain.answers import Contradiction

    performed = Contradiction(
        "disclose:home_address", "prohibited", "NYC-10178-01", "N.Y.C. Admin. Code § 10-178", True
    )
    assert performed.words() == (
        "Disclosing the home address is prohibited under N.Y.C. Admin. Code § 10-178, but this "
        "answer does it."
    )
    refused = Contradiction(
        "hold", "required", "TX-HOLD-01", "Tex. Code Crim. Proc. art. 2.251", False
    )
    assert refused.words() == (
        "Holding the person past the time of release is required under Tex. Code Crim. Proc. "
        "art. 2.251, but this answer does not do it."
    )


LOCAL_PACKS = tuple(
    p for p in PACKS if p not in {layer.id for pack in CATALOG for layer in pack.layers}
)
OFFENSES = ["NY PL 160.15", "NY PL 110/160.15", "NY PL 120.10", "NY PL 155.30", "NY PL 230.34-A",
            "CA PC 211", "CA PC 459.5", "CA HS 11352", "CA PC 245(A)(1)", "TX PC 1"]  # fmt: skip
_records = st.fixed_dictionaries(
    {
        "offense": st.sampled_from(OFFENSES),
        "date": st.dates(date(2000, 1, 1), date(2019, 11, 1)).map(date.isoformat),
    },
    optional={"level": st.sampled_from(["felony", "misdemeanor"])},
)
_people = st.fixed_dictionaries(
    {"arrested_on": st.just("2019-11-20")},
    optional={
        **{flag: st.booleans() for flag in PERSON_FLAGS},
        "convictions": st.lists(
            _records.map(lambda r: r | {"youthful_offender": r["offense"].endswith("5")}),
            max_size=3,
        ),
        "pending_charges": st.lists(
            _records.map(lambda r: r | {"probable_cause_found": r["offense"].startswith("CA")}),
            max_size=2,
        ),
        "public_information": st.lists(st.sampled_from(DISCLOSABLE_FIELDS), max_size=3),
    },
)


@settings(max_examples=60, deadline=None)
@given(
    pack_id=st.sampled_from(LOCAL_PACKS),
    as_of=st.dates(date(2010, 1, 1), date(2030, 12, 31)),
    warrant=st.sampled_from(list(Warrant)),
    issuer=st.sampled_from(ISSUERS),
    person=_people,
)
def test_any_request_under_any_pack_explains_itself_in_sentences(
    pack_id: str, as_of: date, warrant: Warrant, issuer: str, person: dict[str, Any]
) -> None:
    """Random facts under every kind and action: every branch of the phrasebook a real
    evaluation reaches (records that fail for any reason, flags, warrants, public fields)."""
    as_of = max(as_of, CATALOG.get(pack_id).versions[0].effective_from)
    for kind in sorted(CUSTODIAN_ADDRESSED_KINDS):
        document = {
            "pack": pack_id,
            "as_of": as_of.isoformat(),
            "instrument": {
                "kind": kind.value, "warrant": warrant.value, "issuer": issuer,
                "actions": list(ALL_ACTIONS),
            },
            "person": person,
        }  # fmt: skip
        explanation = _explained(document)
        assert len(explanation.actions) == len(ALL_ACTIONS)
        for sentence in explanation.sentences():
            _readable(sentence, f"{pack_id} {kind.value} {as_of}")


def test_a_conflict_names_the_provisions_that_disagree() -> None:
    from .builders import catalog, pack, request, rule

    rules = catalog(
        pack("test-local", rule("A", "prohibited"), rule("B", "permitted", when=TSDB_FACT))
    )
    with pytest.raises(ConflictError) as raised:
        evaluate(rules, request(tsdb_match=True))
    hold = explain(raised.value.evaluation, rules.get("test-local")).actions[0]
    assert hold.status == "conflict"
    assert hold.decision == (
        "Holding the person past the time of release cannot be decided: these provisions are "
        "all in force and disagree, and none is an exception to another: Test Code § A (rule "
        "A: prohibited); Test Code § B (rule B: permitted). A lawyer must decide which prevails."
    )


def test_date_and_negated_conditions_read_as_words() -> None:
    from .builders import catalog, pack, request, rule

    before = {"before": {"fact": "person.arrested_on", "date": date(2017, 9, 1)}}
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule(
                "EXC", "permitted", exception_to=["BASE"],
                when={"all": [before, {"not": TSDB_FACT}, {"in": {"fact": "instrument.warrant",
                      "values": ["judicial", "administrative"]}}]},
            ),
        )
    )  # fmt: skip
    spec = next(r for _, r in rules.get("test-local").all_rules() if r.id == "EXC").spec
    assert spec.when is not None
    assert condition_phrase(spec.when) == (
        "an arrest before September 1, 2017; no possible match in the terrorist screening "
        "database; and a judicial or administrative warrant"
    )
    hold = explain(
        evaluate(rules, request(arrested_on="2018-01-02")), rules.get("test-local")
    ).actions[0]
    assert "The date of arrest is January 2, 2018." in hold.not_applying[0]
    assert "The detainer came with no warrant." in hold.not_applying[0]

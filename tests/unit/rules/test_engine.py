"""The resolution semantics (docs/rules.md, "Semantics"): base rules and labelled
exceptions, conflicts, no rule in force, the federal floor, dates and versions."""

from __future__ import annotations

from datetime import date

import pytest

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules import ConflictError, NoRuleInForce, evaluate
from lexdesk.domain.rules.schema import EFFECTS

from .builders import catalog, pack, request, rule

JUDICIAL = {"eq": {"fact": "instrument.warrant", "value": "judicial"}}
TSDB = {"fact": "person.tsdb_match"}


def test_base_rule_decides_when_no_exception_holds() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when=JUDICIAL),
        )
    )
    evaluation = evaluate(rules, request())
    assert evaluation.status_of("hold") == "prohibited"
    assert evaluation.decisions["hold"].rule.id == "BASE"


def test_exception_overrides_its_base_rule() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when=JUDICIAL),
        )
    )
    evaluation = evaluate(rules, request(warrant="judicial"))
    decision = evaluation.to_json()["actions"]["hold"]
    assert (decision["status"], decision["rule"], decision["overrode"]) == (
        "permitted",
        "EXC",
        ["BASE"],
    )


def test_exception_to_an_exception_overrides_the_whole_chain() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when=JUDICIAL),
            rule("EXC-EXC", "required", exception_to=["EXC"], when=TSDB),
        )
    )
    decision = evaluate(rules, request(warrant="judicial", tsdb_match=True)).to_json()["actions"][
        "hold"
    ]
    assert decision["rule"] == "EXC-EXC"
    assert sorted(decision["overrode"]) == ["BASE", "EXC"]


def test_two_unrelated_rules_that_disagree_are_a_conflict_naming_both() -> None:
    rules = catalog(pack("test-local", rule("A", "prohibited"), rule("B", "permitted", when=TSDB)))
    with pytest.raises(ConflictError) as raised:
        evaluate(rules, request(tsdb_match=True))
    assert "A (prohibited)" in str(raised.value)
    assert "B (permitted)" in str(raised.value)
    document = raised.value.evaluation.to_json()
    assert document["outcome"] == "conflict"
    assert document["actions"]["hold"]["status"] == "conflict"
    assert document["actions"]["hold"]["conflicting"] == ["A", "B"]
    with pytest.raises(ConflictError):
        raised.value.evaluation.status_of("hold")


def test_unrelated_rules_that_agree_concur() -> None:
    rules = catalog(pack("test-local", rule("A"), rule("B")))
    decision = evaluate(rules, request()).to_json()["actions"]["hold"]
    assert (decision["rule"], decision["concurring"]) == ("A", ["B"])


def test_no_rule_for_an_action_is_an_error_not_a_default() -> None:
    rules = catalog(pack("test-local", rule("A")))
    with pytest.raises(NoRuleInForce, match="'notify_release'"):
        evaluate(rules, request(actions=("hold", "notify_release")))


def test_no_rule_whose_condition_holds_is_an_error_naming_the_unmet_condition() -> None:
    rules = catalog(pack("test-local", rule("ONLY", "permitted", when=JUDICIAL)))
    with pytest.raises(
        NoRuleInForce, match=r"ONLY needs instrument.warrant is judicial \(was none\)"
    ):
        evaluate(rules, request())


def test_a_rule_ends_on_its_effective_to_date() -> None:
    rules = catalog(pack("test-local", rule("OLD", effective_to=date(2020, 12, 31))))
    assert evaluate(rules, request(as_of="2020-12-31")).status_of("hold") == "prohibited"
    with pytest.raises(NoRuleInForce):
        evaluate(rules, request(as_of="2021-01-01"))


def test_the_version_in_force_on_the_date_is_used() -> None:
    first = pack("test-local", rule("V1", "prohibited"), version="2020-01-01")
    second = pack("test-local", rule("V2", "permitted"), version="2021-01-01")
    rules = catalog(first, second)
    assert evaluate(rules, request(as_of="2020-12-31")).pack_version == "2020-01-01"
    later = evaluate(rules, request(as_of="2021-01-01"))
    assert (later.pack_version, later.decisions["hold"].rule.id) == ("2021-01-01", "V2")
    assert rules.get("test-local").version == "2021-01-01"
    with pytest.raises(NoRuleInForce, match="no version in force on 2019-12-31"):
        evaluate(rules, request(as_of="2019-12-31"))


def _floor(effect: str) -> tuple[object, object]:
    federal = pack("test-federal", rule("FLOOR", "permitted", precedence="floor"))
    local = pack("test-local", rule("LOCAL", effect), layers=("test-federal",))
    return catalog(federal, local), evaluate(catalog(federal, local), request())


@pytest.mark.parametrize(
    ("local_effect", "status", "rule_id"),
    [
        ("prohibited", "permitted", "FLOOR"),
        ("permitted", "permitted", "LOCAL"),
        ("required", "required", "LOCAL"),
    ],
)
def test_a_federal_floor_overrides_local_rules_below_it_only(
    local_effect: str, status: str, rule_id: str
) -> None:
    _, evaluation = _floor(local_effect)
    decision = evaluation.decisions["hold"]
    assert (decision.status, decision.rule.id) == (status, rule_id)


def test_a_layer_rule_without_precedence_is_unrelated_to_local_rules() -> None:
    federal = pack("test-federal", rule("FED", "permitted"))
    local = pack("test-local", rule("LOCAL", "prohibited"), layers=("test-federal",))
    with pytest.raises(ConflictError):
        evaluate(catalog(federal, local), request())


def test_a_local_rule_may_be_an_exception_to_a_layer_rule() -> None:
    federal = pack("test-federal", rule("FED", "permitted"))
    local = pack(
        "test-local", rule("LOCAL", "prohibited", exception_to=["FED"]), layers=("test-federal",)
    )
    assert evaluate(catalog(federal, local), request()).decisions["hold"].rule.id == "LOCAL"


def test_a_layer_not_yet_in_force_contributes_nothing() -> None:
    federal = pack(
        "test-federal", rule("FED", "required", precedence="floor"), version="2021-01-01"
    )
    local = pack("test-local", rule("LOCAL", "prohibited"), layers=("test-federal",))
    rules = catalog(federal, local)
    assert evaluate(rules, request(as_of="2020-06-01")).status_of("hold") == "prohibited"
    assert evaluate(rules, request(as_of="2021-06-01")).status_of("hold") == "required"


@pytest.mark.parametrize(
    ("statuses", "outcome"),
    [
        (("required", "required"), "must_comply"),
        (("prohibited", "prohibited"), "must_not_comply"),
        (("permitted", "required"), "may_comply"),
        (("permitted", "permitted"), "may_comply"),
        (("required", "prohibited"), "partial"),
        (("permitted", "prohibited"), "partial"),
    ],
)
def test_outcome_follows_the_statuses(statuses: tuple[str, str], outcome: str) -> None:
    hold, notify = statuses
    rules = catalog(
        pack(
            "test-local",
            rule("H", hold),
            rule("N", notify, applies_to={"kinds": ["*"], "actions": ["notify_release"]}),
        )
    )
    assert evaluate(rules, request(actions=("hold", "notify_release"))).outcome == outcome


def test_evaluating_a_pack_directly_checks_the_request_names_it() -> None:
    rules = catalog(pack("test-local", rule("A")))
    assert evaluate(rules.get("test-local"), request()).status_of("hold") == "prohibited"
    with pytest.raises(InvalidInput, match="names pack 'other'"):
        evaluate(rules.get("test-local"), request("other"))


def test_unknown_pack_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="unknown pack 'nowhere': use one of test-local"):
        catalog(pack("test-local", rule("A"))).get("nowhere")


def test_status_of_an_action_not_requested_is_refused() -> None:
    evaluation = evaluate(catalog(pack("test-local", rule("A"))), request())
    with pytest.raises(InvalidInput, match="'transfer' was not requested"):
        evaluation.status_of("transfer")


def test_effects_are_ranked_toward_compliance() -> None:
    assert EFFECTS == ("prohibited", "permitted", "required")

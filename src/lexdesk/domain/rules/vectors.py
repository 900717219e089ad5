"""Test vectors: YAML cases beside each pack, each an evaluation input and what it must give,
and the coverage check that every rule and duty of the pack decides in at least one vector.

    pack: us-tx
    vectors:
      - name: a detainer is honored
        input: {as_of: 2020-01-17, instrument: {...}, person: {...}}
        expect:
          outcome: must_comply
          actions: {hold: {status: required, rule: TX-HOLD-01}}
          missing: [{fact: person.proof_of_status, value: false}]   # optional, exact
      - name: before the law
        input: {...}
        expect: {error: no_rule_in_force}          # or conflict, invalid_input
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.engine import PackSource, evaluate
from lexdesk.domain.rules.errors import ConflictError, NoRuleInForce
from lexdesk.domain.rules.explain import Evaluation
from lexdesk.domain.rules.pack import RulePack
from lexdesk.domain.rules.request import EvaluationRequest
from lexdesk.domain.rules.schema import EFFECTS
from lexdesk.domain.rules.source import Node, load_document

ERRORS = ("no_rule_in_force", "conflict", "invalid_input")
OUTCOMES = ("must_comply", "may_comply", "partial", "must_not_comply")


@dataclass(frozen=True)
class Expectation:
    error: str | None
    outcome: str | None
    actions: dict[str, tuple[str, str | None]]  # action -> (status, deciding rule or None)
    missing: frozenset[tuple[str, str]] | None


@dataclass(frozen=True)
class Vector:
    name: str
    where: str
    input: dict[str, Any]
    expect: Expectation


@dataclass(frozen=True)
class VectorResult:
    vector: Vector
    problems: tuple[str, ...]
    fired: frozenset[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def parse_vectors(text: str, filename: str, pack_id: str) -> tuple[Vector, ...]:
    root = Node.root(load_document(text, filename))
    root.mapping(required=("pack", "vectors"))
    if root.child("pack").text() != pack_id:
        root.child("pack").fail(f"must name the pack beside it, {pack_id!r}")
    vectors = tuple(_parse_vector(node, pack_id) for node in root.child("vectors").entries())
    names = [v.name for v in vectors]
    for node, vector in zip(root.child("vectors").entries(), vectors, strict=True):
        if names.count(vector.name) > 1:
            node.child("name").fail(f"vector name {vector.name!r} is used twice")
    return vectors


def _parse_vector(node: Node, pack_id: str) -> Vector:
    node.mapping(required=("name", "input", "expect"))
    document = _as_json(node.child("input").value)
    if not isinstance(document, dict):
        node.child("input").fail("expected a mapping")
    if document.setdefault("pack", pack_id) != pack_id:
        node.child("input").child("pack").fail(f"vectors beside {pack_id} evaluate {pack_id}")
    return Vector(
        node.child("name").text(), node.where, document, _expectation(node.child("expect"))
    )


def _expectation(node: Node) -> Expectation:
    node.mapping(required=(), optional=("error", "outcome", "actions", "missing"))
    error = node.child("error").text() if node.has("error") else None
    if error is not None and error not in ERRORS:
        node.child("error").fail(f"unknown error {error!r}: use {', '.join(ERRORS)}")
    outcome = node.child("outcome").text() if node.has("outcome") else None
    if outcome is not None and outcome not in OUTCOMES:
        node.child("outcome").fail(f"unknown outcome {outcome!r}: use {', '.join(OUTCOMES)}")
    if (error is None) == (outcome is None):
        node.fail("expect either an outcome or an error")
    actions = {}
    for action, item in node.child("actions").items() if node.has("actions") else []:
        item.mapping(required=("status",), optional=("rule",))
        status = item.child("status").text()
        if status not in (*EFFECTS, "conflict"):
            item.child("status").fail(f"unknown status {status!r}")
        actions[action] = (status, item.child("rule").text() if item.has("rule") else None)
    missing = None
    if node.has("missing"):
        missing = frozenset(_change_key(item) for item in node.child("missing").entries())
    return Expectation(error, outcome, actions, missing)


def _change_key(node: Node) -> tuple[str, str]:
    node.mapping(required=("fact", "value"))
    return node.child("fact").text(), json.dumps(
        _as_json(node.child("value").value), sort_keys=True
    )


def _as_json(value: object) -> Any:
    """YAML reads dates as dates; the evaluation input is JSON, where they are text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def run_vector(source: PackSource | RulePack, vector: Vector) -> VectorResult:
    evaluation: Evaluation | None = None
    error = None
    try:
        evaluation = evaluate(source, EvaluationRequest.from_json(vector.input))
    except InvalidInput:
        error = "invalid_input"
    except NoRuleInForce:
        error = "no_rule_in_force"
    except ConflictError as exc:
        error, evaluation = "conflict", exc.evaluation
    problems = _compare(vector.expect, error, evaluation)
    return VectorResult(vector, tuple(problems), _fired(evaluation if error is None else None))


def _compare(expect: Expectation, error: str | None, evaluation: Evaluation | None) -> list[str]:
    if expect.error != error:
        got = error or (evaluation.outcome if evaluation else "nothing")
        return [f"expected {expect.error or expect.outcome}, got {got}"]
    if evaluation is None:
        return []
    problems = []
    if expect.outcome is not None and evaluation.outcome != expect.outcome:
        problems.append(f"outcome: expected {expect.outcome}, got {evaluation.outcome}")
    for action, (status, rule) in expect.actions.items():
        decision = evaluation.decisions.get(action)
        if decision is None:
            problems.append(f"{action}: expected {status}, but it was not requested")
            continue
        got_rule = decision.rule.id if decision.resolution.status else None
        if decision.status != status or (rule is not None and got_rule != rule):
            problems.append(
                f"{action}: expected {status} under {rule}, got {decision.status} under {got_rule}"
            )
    if expect.missing is not None:
        seen = {(m["fact"], json.dumps(m["value"], sort_keys=True)) for m in evaluation.missing()}
        if seen != expect.missing:
            problems.append(f"missing: expected {sorted(expect.missing)}, got {sorted(seen)}")
    return problems


def _fired(evaluation: Evaluation | None) -> frozenset[str]:
    if evaluation is None:
        return frozenset()
    fired: set[str] = set()
    for decision in evaluation.decisions.values():
        fired.update(rule.id for rule in decision.resolution.deciding)
        fired.update(duty.spec.id for duty in decision.duties())
    return frozenset(fired)


def run_vectors(source: PackSource | RulePack, vectors: tuple[Vector, ...]) -> list[VectorResult]:
    return [run_vector(source, vector) for vector in vectors]


def uncovered(pack: RulePack, results: list[VectorResult]) -> list[str]:
    """The pack's own rules and duties that decided in no vector."""
    fired = set().union(*(r.fired for r in results if r.passed))
    own = [rule.id for _, rule in pack.own_rules()] + [d.spec.id for _, d in pack.own_duties()]
    return [rule_id for rule_id in dict.fromkeys(own) if rule_id not in fired]

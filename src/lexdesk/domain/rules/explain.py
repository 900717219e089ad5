"""What an evaluation says and why: per action the status, the rule that decided it, the
rules it overrode, the conditions that failed and the citations; the overall outcome; and
``missing``, the single-fact changes that would move an action toward compliance, found by
re-resolving the plan with each change the rules' conditions mention (never written by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.errors import ConflictError
from lexdesk.domain.rules.plan import CompiledDuty, CompiledRule, Plan, Resolution
from lexdesk.domain.rules.request import EvaluationRequest, Facts
from lexdesk.domain.rules.schema import EFFECT_RANK

CONFLICT = "conflict"


@dataclass(frozen=True)
class Change:
    fact: str
    value: object
    status: str


@dataclass(frozen=True)
class ActionDecision:
    action: str
    plan: Plan
    mask: int
    resolution: Resolution
    facts: Facts

    @property
    def status(self) -> str:
        return self.resolution.status or CONFLICT

    @property
    def rule(self) -> CompiledRule:
        return self.resolution.deciding[0]

    def failed(self) -> list[tuple[CompiledRule, list[str]]]:
        return [
            (rule, rule.spec.when.failures(self.facts) if rule.spec.when is not None else [])
            for rule in self.plan.failed(self.mask)
        ]

    def missing(self) -> list[Change]:
        """Single-fact changes after which this action moves up prohibited < permitted <
        required; changes that end in a conflict or in no rule are not offered."""
        if self.resolution.status is None:
            return []
        rank = EFFECT_RANK[self.resolution.status]
        changes = []
        for hypothesis in self.plan.hypotheses:
            changed = hypothesis.apply(self.facts)
            if changed is None:
                continue
            mask = self.plan.remask(changed, self.mask, hypothesis.mask)
            status = self.plan.resolve(mask).status
            if status is not None and EFFECT_RANK[status] > rank:
                changes.append(Change(hypothesis.fact, hypothesis.value, status))
        return changes

    def duties(self) -> list[CompiledDuty]:
        return [
            duty
            for duty in self.plan.duties
            if self.status in duty.spec.on and (duty.test is None or duty.test(self.facts))
        ]

    def to_json(self) -> dict[str, Any]:
        resolution = self.resolution
        out: dict[str, Any] = {
            "status": self.status,
            "rule": None if resolution.status is None else self.rule.id,
            "citation": None if resolution.status is None else self.rule.spec.citation,
        }
        if resolution.status is None:
            out["conflicting"] = [r.id for r in resolution.deciding]
        out["label"] = self.rule.spec.label
        out["verification"] = self.rule.spec.verification.status
        out["concurring"] = [r.id for r in resolution.deciding[1:]]
        out["overrode"] = [r.id for r in resolution.overridden]
        out["failed"] = [{"rule": r.id, "conditions": why} for r, why in self.failed()]
        out["citations"] = _citations(resolution.deciding + resolution.overridden)
        out["duties"] = [_duty_json(d) for d in self.duties()]
        return out

    def reasons(self) -> list[str]:
        resolution = self.resolution
        if resolution.status is None:
            rules = ", ".join(f"{r.id} ({r.spec.effect})" for r in resolution.deciding)
            lines = [f"{self.action}: conflict between {rules}: a lawyer must decide"]
        else:
            line = f"{self.action}: {self.status} under {self.rule.id} ({self.rule.spec.citation})"
            if resolution.overridden:
                line += ", overriding " + ", ".join(r.id for r in resolution.overridden)
            lines = [line]
        for rule, why in self.failed():
            lines.append(f"{self.action}: {rule.id} does not apply: {'; '.join(why)}")
        return lines


@dataclass(frozen=True)
class Evaluation:
    pack: str
    pack_version: str
    content_hash: str
    request: EvaluationRequest
    decisions: dict[str, ActionDecision]

    @property
    def outcome(self) -> str:
        statuses = {d.status for d in self.decisions.values()}
        if CONFLICT in statuses:
            return CONFLICT
        if statuses == {"required"}:
            return "must_comply"
        if statuses == {"prohibited"}:
            return "must_not_comply"
        return "partial" if "prohibited" in statuses else "may_comply"

    def status_of(self, action: str) -> str:
        """``required``, ``permitted`` or ``prohibited`` for one requested action."""
        decision = self.decisions.get(action)
        if decision is None:
            raise InvalidInput(
                f"{action!r} was not requested: evaluated {', '.join(self.decisions)}"
            )
        if decision.resolution.status is None:
            raise ConflictError(decision.reasons()[0], self)
        return decision.resolution.status

    def missing(self) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for action, decision in self.decisions.items():
            for change in decision.missing():
                entry = merged.setdefault(
                    (change.fact, repr(change.value)),
                    {"fact": change.fact, "value": change.value, "actions": {}},
                )
                entry["actions"][action] = change.status
        return list(merged.values())

    def to_json(self) -> dict[str, Any]:
        """The ``lexdesk rules evaluate`` document, with its extra explanation keys."""
        decisions = self.decisions.values()
        return {
            "pack": self.pack,
            "pack_version": self.pack_version,
            "content_hash": self.content_hash,
            "as_of": self.request.as_of.isoformat(),
            "outcome": self.outcome,
            "actions": {d.action: d.to_json() for d in decisions},
            "reasons": [line for d in decisions for line in d.reasons()],
            "missing": self.missing(),
            "citations": _citations(
                tuple(r for d in decisions for r in d.resolution.deciding + d.resolution.overridden)
            ),
        }


def _citations(rules: tuple[CompiledRule, ...]) -> list[str]:
    return list(dict.fromkeys(rule.spec.citation for rule in rules))


def _duty_json(duty: CompiledDuty) -> dict[str, str]:
    return {"id": duty.spec.id, "label": duty.spec.label, "citation": duty.spec.citation}

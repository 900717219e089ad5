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


@dataclass(frozen=True, slots=True)
class Change:
    fact: str
    value: object
    status: str


class ActionDecision:
    """One requested action, decided. Plain slots: one is built per action per evaluation."""

    __slots__ = ("action", "facts", "mask", "plan", "resolution")

    def __init__(
        self, action: str, plan: Plan, mask: int, resolution: Resolution, facts: Facts
    ) -> None:
        self.action, self.plan, self.mask = action, plan, mask
        self.resolution, self.facts = resolution, facts

    @property
    def status(self) -> str:
        return self.resolution.status or CONFLICT

    @property
    def rule(self) -> CompiledRule:
        return self.resolution.deciding[0]

    def failed(self) -> list[tuple[CompiledRule, list[str]]]:
        if not self.resolution.failed:
            return []
        return [
            (rule, rule.spec.when.failures(self.facts) if rule.spec.when is not None else [])
            for rule in self.resolution.failed
        ]

    def missing(self) -> list[Change]:
        """Single-fact changes after which this action moves up prohibited < permitted <
        required; changes that end in a conflict or in no rule are not offered."""
        resolution = self.resolution
        if resolution.status is None:
            return []
        rank = EFFECT_RANK[resolution.status]
        if self.plan.hypotheses_rank <= rank and resolution.overridden_rank <= rank:
            return []
        changes = []
        for hypothesis in self.plan.hypotheses:
            # A change can only raise the status through a stronger rule it affects, or by
            # unsettling the exception that overrode a stronger rule.
            if hypothesis.top_rank <= rank and resolution.overridden_rank <= rank:
                continue
            changed = hypothesis.apply(self.facts)
            if changed is None:
                continue
            mask = self.plan.remask(changed, self.mask, hypothesis.mask)
            status = self.plan.resolve(mask).status
            if status is not None and EFFECT_RANK[status] > rank:
                changes.append(Change(hypothesis.fact, hypothesis.value, status))
        return changes

    def duties(self) -> list[CompiledDuty]:
        status = self.status
        return [
            duty
            for duty in self.plan.duties
            if status in duty.spec.status_in and (duty.test is None or duty.test(self.facts))
        ]

    def to_json(self) -> dict[str, Any]:
        summary = self.resolution.summary
        # The summary is shared by every evaluation that resolves alike: hand out copies.
        return summary | {
            "concurring": summary["concurring"][:],
            "overrode": summary["overrode"][:],
            "citations": summary["citations"][:],
            "failed": [{"rule": r.id, "conditions": why} for r, why in self.failed()]
            if self.resolution.failed
            else [],
            "duties": [_duty_json(d) for d in self.duties()] if self.plan.duties else [],
        }

    def reasons(self) -> list[str]:
        lines = [self.resolution.reason]
        if not self.resolution.failed:
            return lines
        for rule, why in self.failed():
            lines.append(f"{self.action}: {rule.id} does not apply: {'; '.join(why)}")
        return lines


class Evaluation:
    """The decision on every requested action of one request under one pack version."""

    __slots__ = ("content_hash", "decisions", "pack", "pack_version", "request")

    def __init__(
        self,
        pack: str,
        pack_version: str,
        content_hash: str,
        request: EvaluationRequest,
        decisions: dict[str, ActionDecision],
    ) -> None:
        self.pack, self.pack_version, self.content_hash = pack, pack_version, content_hash
        self.request, self.decisions = request, decisions

    @property
    def outcome(self) -> str:
        statuses = {d.resolution.status for d in self.decisions.values()}
        if None in statuses:
            return CONFLICT
        if "prohibited" in statuses:
            return "must_not_comply" if len(statuses) == 1 else "partial"
        return "must_comply" if statuses == {"required"} else "may_comply"

    def status_of(self, action: str) -> str:
        """``required``, ``permitted`` or ``prohibited`` for one requested action."""
        decision = self.decisions.get(action)
        if decision is None:
            requested = ", ".join(self.decisions)
            raise InvalidInput(f"{action!r} was not requested: evaluated {requested}")
        if decision.resolution.status is None:
            raise ConflictError(decision.resolution.reason, self)
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
        citations: dict[str, None] = {}
        for decision in decisions:
            for citation in decision.resolution.citations:
                citations[citation] = None
        return {
            "pack": self.pack,
            "pack_version": self.pack_version,
            "content_hash": self.content_hash,
            "as_of": self.request.as_of.isoformat(),
            "outcome": self.outcome,
            "actions": {d.action: d.to_json() for d in decisions},
            "reasons": [line for d in decisions for line in d.reasons()],
            "missing": self.missing(),
            "citations": list(citations),
        }


def _duty_json(duty: CompiledDuty) -> dict[str, str]:
    return {"id": duty.spec.id, "label": duty.spec.label, "citation": duty.spec.citation}

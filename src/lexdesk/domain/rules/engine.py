"""``evaluate``: decide every requested action of one request under a pack and its layers."""

from __future__ import annotations

from lexdesk.domain.rules.errors import ConflictError, NoRuleInForce
from lexdesk.domain.rules.explain import ActionDecision, Evaluation
from lexdesk.domain.rules.facts import Facts
from lexdesk.domain.rules.holds import deciding_hold_limit
from lexdesk.domain.rules.pack import PackSource, RulePack, ensure_pack_id
from lexdesk.domain.rules.plan import Plan
from lexdesk.domain.rules.request import EvaluationRequest

__all__ = ["PackSource", "evaluate"]


def evaluate(source: PackSource | RulePack, request: EvaluationRequest) -> Evaluation:
    """Decide each requested action. Raises NoRuleInForce when no rule in force decides one,
    and ConflictError (carrying the evaluation, outcome ``conflict``) when rules disagree."""
    if isinstance(source, RulePack):
        pack = source
        ensure_pack_id(pack, request.pack)
    else:
        pack = source.get(request.pack)
    version = pack.version_on(request.as_of)
    facts = Facts(request)
    kind, as_of = request.instrument.kind, request.as_of
    decisions: dict[str, ActionDecision] = {}
    conflict = None
    for action in request.instrument.actions:
        seen = facts.for_action(action)
        plan = pack.plan(kind, action, as_of)
        mask = plan.mask(seen)
        resolution = plan.resolve(mask)
        if resolution.status is None:
            if not resolution.holding:
                raise NoRuleInForce(_no_rule(pack, request, action, plan, seen))
            conflict = conflict or resolution.reason
        decision = ActionDecision(action, plan, mask, resolution, seen)
        if action == "hold" and resolution.status in ("permitted", "required"):
            deciding = resolution.deciding[0]
            # A pack that states no limit anywhere in its stack reports none (the shipped
            # packs all do: a test checks it); the decision itself stands.
            decision.hold_limit = deciding_hold_limit(pack, as_of, deciding.spec, deciding.pack)
        decisions[action] = decision
    evaluation = Evaluation(pack.id, version.version, pack.content_hash, request, decisions)
    if conflict is not None:
        raise ConflictError(conflict, evaluation)
    return evaluation


def _no_rule(
    pack: RulePack, request: EvaluationRequest, action: str, plan: Plan, facts: Facts
) -> str:
    kind = request.instrument.kind.value
    message = (
        f"no rule of {pack.id} in force on {request.as_of.isoformat()} decides "
        f"{action!r} for a {kind}"
    )
    unmet = [
        f"{rule.id} needs {'; '.join(rule.spec.when.failures(facts))}"
        for rule in plan.rules
        if rule.spec.when is not None
    ]
    if unmet:
        message += " (" + " | ".join(unmet) + ")"
    return message + ": the pack must be completed by a lawyer, there is no default"

"""The services' rule book, backed by the rule engine and the packs shipped with lexdesk."""

from __future__ import annotations

from datetime import date
from typing import Any

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.deadlines import DEFAULT_HOLD, HoldBound
from lexdesk.domain.rules import EvaluationRequest, evaluate
from lexdesk.services.ports import RuleDecision


class PackRuleBook:
    def __init__(self) -> None:
        self._catalog = load_catalog()

    def has_pack(self, pack_id: str) -> bool:
        return pack_id in self._catalog.ids()

    def pack_ids(self) -> list[str]:
        return sorted(self._catalog.ids())

    def decide(self, document: dict[str, Any]) -> RuleDecision:
        request = EvaluationRequest.from_json(document)
        evaluation = evaluate(self._catalog, request)
        result = evaluation.to_json()
        record = {
            "pack": result["pack"],
            # The version in force on the evaluation date, not the pack's latest.
            "pack_version": result["pack_version"],
            "content_hash": result["content_hash"],
            "inputs": document,
            "result": result,
        }
        statuses = {action: evaluation.status_of(action) for action in result["actions"]}
        return RuleDecision(statuses=statuses, record=record)

    def hold_bound(self, pack_id: str, as_of: date) -> HoldBound:
        # The packs state no bound of their own yet: every hold runs the detainer form's 48
        # clock hours. Replaced by the pack's own statement once the packs carry one.
        return DEFAULT_HOLD

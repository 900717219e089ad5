"""The services' rule book, backed by the rule engine and the packs shipped with lexdesk."""

from __future__ import annotations

from datetime import date
from typing import Any

from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.deadlines import HoldBound
from lexdesk.domain.rules import EvaluationRequest, evaluate
from lexdesk.domain.rules.english import explain
from lexdesk.domain.rules.holds import HoldLimit, hold_limit
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
            # The same evaluation in legal English, for the screen, the API and the letter.
            "explanation": explain(evaluation, self._catalog.get(request.pack)).to_json(),
        }
        statuses = {action: evaluation.status_of(action) for action in result["actions"]}
        return RuleDecision(statuses=statuses, record=record)

    def hold_limit(self, pack_id: str, as_of: date) -> HoldLimit:
        """How long a hold may last under the pack's law in force on ``as_of``: the hours, how
        they are counted (clock or business hours) and the citation. Raises InvalidInput for an
        unknown pack and NoRuleInForce when the pack has no version in force that day."""
        return hold_limit(self._catalog, pack_id, as_of)

    def hold_bound(self, pack_id: str, as_of: date) -> HoldBound:
        """The pack's hold limit as the deadline code reads it, naming the version (and rule)
        that states it."""
        limit = self.hold_limit(pack_id, as_of)
        stated = f"{limit.pack} {limit.version}" + (f" {limit.rule}" if limit.rule else "")
        return HoldBound(limit.hours, limit.counting, limit.citation, stated)

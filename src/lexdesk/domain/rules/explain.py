"""What an evaluation says and why: per action the status, the rule that decided it, the
rules it overrode, the conditions that failed and the citations; the overall outcome; and
``missing``, the single-fact changes that would move an action toward compliance, found by
re-resolving the plan with each change the rules' conditions mention (never written by hand).

An answer that turns on an entry of a table whose entries are unconfirmed says so: the
action's ``turns_on`` lists the entries (or the absence from the list) the answer rests on,
and the evaluation's ``notes`` repeat them in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.errors import ConflictError
from lexdesk.domain.rules.facts import Facts
from lexdesk.domain.rules.plan import CompiledDuty, CompiledRule, Plan, Resolution, Tabled
from lexdesk.domain.rules.records import ChargePending, ConvictionIn
from lexdesk.domain.rules.request import EvaluationRequest
from lexdesk.domain.rules.schema import EFFECT_RANK

if TYPE_CHECKING:
    from lexdesk.domain.rules.holds import HoldLimit

CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Change:
    fact: str
    value: object
    status: str
    label: str
    #: For a record change: the condition a conviction or charge would have to meet.
    record: ConvictionIn | ChargePending | None = field(default=None, compare=False)


class ActionDecision:
    """One requested action, decided. Plain slots: one is built per action per evaluation."""

    __slots__ = (
        "_duties", "_failed", "_missing", "_turns_on", "action", "facts", "hold_limit", "mask",
        "plan", "resolution",
    )  # fmt: skip

    def __init__(
        self, action: str, plan: Plan, mask: int, resolution: Resolution, facts: Facts
    ) -> None:
        self.action, self.plan, self.mask = action, plan, mask
        self.resolution, self.facts = resolution, facts
        self.hold_limit: HoldLimit | None = None
        # The JSON, the reasons and the English each read these: worked out once, and for a
        # tabulable plan once per combination of the facts it reads (``Plan.tabulable``).
        self._missing: list[Change] | None = None
        self._failed: tuple[tuple[CompiledRule, tuple[str, ...]], ...] | None = None
        self._duties: tuple[CompiledDuty, ...] | None = None
        self._turns_on: list[dict[str, Any]] | None = None
        if plan.tabulable:
            key = plan.key(facts)
            tabled = plan.tabled(key)
            if tabled is None:
                tabled = Tabled(self._find_failed(), self._find_duties(), tuple(self.missing()))
                plan.table(key, tabled)
            self._failed, self._duties = tabled.failed, tabled.duties
            self._missing = list(tabled.missing)
            # Only conditions on records can turn on an unconfirmed entry.
            self._turns_on = []

    @property
    def status(self) -> str:
        return self.resolution.status or CONFLICT

    @property
    def rule(self) -> CompiledRule:
        return self.resolution.deciding[0]

    def failed(self) -> list[tuple[CompiledRule, list[str]]]:
        if not self.resolution.failed:
            return []
        if self._failed is None:
            self._failed = self._find_failed()
        return [(rule, list(why)) for rule, why in self._failed]

    def _find_failed(self) -> tuple[tuple[CompiledRule, tuple[str, ...]], ...]:
        return tuple(
            (rule, tuple(rule.spec.when.failures(self.facts)) if rule.spec.when is not None else ())
            for rule in self.resolution.failed
        )

    def missing(self) -> list[Change]:
        """Single-fact changes after which this action moves up prohibited < permitted <
        required; changes that end in a conflict or in no rule are not offered."""
        if self._missing is None:
            self._missing = self._find_missing()
        return self._missing

    def _find_missing(self) -> list[Change]:
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
                changes.append(
                    Change(
                        hypothesis.fact,
                        hypothesis.value,
                        status,
                        hypothesis.label,
                        hypothesis.record,
                    )
                )
        return changes

    def duties(self) -> list[CompiledDuty]:
        if self._duties is None:
            self._duties = self._find_duties()
        return list(self._duties)

    def _find_duties(self) -> tuple[CompiledDuty, ...]:
        status = self.status
        return tuple(
            duty
            for duty in self.plan.duties
            if status in duty.spec.status_in and (duty.test is None or duty.test(self.facts))
        )

    def turns_on(self) -> list[dict[str, Any]]:
        """Unconfirmed table entries the answer rests on: a listed offense that made a
        deciding rule hold, or a record absent from a list whose entries are unconfirmed
        when being listed would change the answer."""
        if self._turns_on is None:
            self._turns_on = self._find_turns_on()
        return [dict(note) for note in self._turns_on]

    def _find_turns_on(self) -> list[dict[str, Any]]:
        notes: list[dict[str, Any]] = []
        if self.resolution.status is None:
            return notes
        # A note is only ever about an unconfirmed entry, so only the conditions on tables
        # with unconfirmed entries are looked at (``CompiledRule.unconfirmed``).
        for rule in self.resolution.deciding:
            for leaf in rule.unconfirmed:
                table = leaf.filter.table
                if table is None or not leaf.holds(self.facts):
                    continue
                for code, entry in leaf.matched(self.facts):
                    if entry is not None and entry.verification.status != "verified":
                        notes.append(
                            _note(
                                table.name,
                                code,
                                True,
                                f"{code} is listed in "
                                f"{table.label} ({table.citation}), but that entry is unconfirmed",
                            )
                        )
        if self.plan.unconfirmed:
            asked = {repr(c.value) for c in self.missing() if isinstance(c.value, dict)}
            for leaf, hypothesis in self.plan.unconfirmed:
                table = leaf.filter.table
                if table is None or hypothesis not in asked:
                    continue
                for code in leaf.unmatched_codes(self.facts):
                    notes.append(
                        _note(
                            table.name,
                            code,
                            False,
                            f"{code} is not listed in "
                            f"{table.label} ({table.citation}), a list with unconfirmed entries: "
                            "the answer turns on whether it belongs there",
                        )
                    )
        if not notes:
            return notes
        return list({(n["table"], n["offense"]): n for n in notes}.values())

    def to_json(self) -> dict[str, Any]:
        summary = self.resolution.summary
        if self.resolution.failed and self._failed is None:
            self._failed = self._find_failed()
        # The summary is shared by every evaluation that resolves alike: hand out copies.
        out = summary | {
            "concurring": summary["concurring"][:],
            "overrode": summary["overrode"][:],
            "citations": summary["citations"][:],
            "failed": [{"rule": r.id, "conditions": list(why)} for r, why in self._failed]
            if self._failed
            else [],
            "duties": [_duty_json(d) for d in self.duties()] if self.plan.duties else [],
            "turns_on": self.turns_on(),
        }
        if self.hold_limit is not None:
            out["hold_limit"] = self.hold_limit.to_json()
        return out

    def reasons(self) -> list[str]:
        lines = [self.resolution.reason]
        if self.resolution.failed:
            if self._failed is None:
                self._failed = self._find_failed()
            action = self.action
            for rule, why in self._failed:
                lines.append(f"{action}: {rule.id} does not apply: {'; '.join(why)}")
        if self._turns_on is None:
            self._turns_on = self._find_turns_on()
        lines += [f"{self.action}: {note['note']}" for note in self._turns_on]
        return lines


def _note(table: str, code: str, listed: bool, text: str) -> dict[str, Any]:
    return {
        "table": table,
        "offense": code,
        "listed": listed,
        "verification": "unconfirmed",
        "note": text,
    }


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
                    {
                        "fact": change.fact,
                        "value": change.value,
                        "label": change.label,
                        "actions": {},
                    },
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
        actions = {d.action: d.to_json() for d in decisions}
        notes = {n["note"]: None for a in actions.values() for n in a["turns_on"]}
        return {
            "pack": self.pack,
            "pack_version": self.pack_version,
            "content_hash": self.content_hash,
            "as_of": self.request.as_of.isoformat(),
            "outcome": self.outcome,
            "actions": actions,
            "reasons": [line for d in decisions for line in d.reasons()],
            "missing": self.missing(),
            "citations": list(citations),
            "notes": list(notes),
        }


def _duty_json(duty: CompiledDuty) -> dict[str, str]:
    return {"id": duty.spec.id, "label": duty.spec.label, "citation": duty.spec.citation}

"""A rule pack ready to evaluate: its law versions, the layers beneath it (the federal layer
under every local pack), and per (kind, action, date) a :class:`Plan` that holds the rules in
scope, their compiled conditions and the exception relation as bit masks, so that deciding an
action is a few closure calls and one dictionary look-up."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.conditions import Test
from lexdesk.domain.rules.errors import NoRuleInForce, PackError
from lexdesk.domain.rules.plan import (
    CompiledDuty,
    CompiledRule,
    Plan,
    compile_duty,
    compile_rule,
)
from lexdesk.domain.rules.schema import PackVersion, RuleSpec
from lexdesk.domain.rules.tables import in_force
from lexdesk.domain.vocabulary import InstrumentKind

if TYPE_CHECKING:
    from lexdesk.domain.rules.holds import HoldLimit

__all__ = ["PackSource", "RulePack", "Test"]


class PackSource(Protocol):
    """Anything that finds a pack by id: the catalog."""

    def get(self, pack_id: str) -> RulePack: ...


@dataclass(frozen=True)
class _Level:
    depth: int
    pack: str
    version: PackVersion
    rules: tuple[CompiledRule, ...]
    duties: tuple[CompiledDuty, ...]


@dataclass
class RulePack:
    """One jurisdiction's law: ``versions`` oldest first, ``layers`` stacked beneath it."""

    id: str
    versions: tuple[PackVersion, ...]
    layers: tuple[RulePack, ...]
    _compiled: dict[str, tuple[tuple[CompiledRule, ...], tuple[CompiledDuty, ...]]] = field(
        default_factory=dict, repr=False
    )
    _plans: dict[tuple[InstrumentKind, str, int], Plan] = field(default_factory=dict, repr=False)
    _breakpoints: tuple[date, ...] = field(default=(), repr=False)
    #: The limit on a hold permitted under a rule, per (rule, owner, span of days); None
    #: where the stack states none (``holds.deciding_hold_limit``).
    hold_limits: dict[tuple[str, str, int], HoldLimit | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    _hash: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        for version in self.versions:
            rules = tuple(compile_rule(spec, self.id, i) for i, spec in enumerate(version.rules))
            duties = tuple(compile_duty(spec) for spec in version.duties)
            self._compiled[version.version] = (rules, duties)
        self._check_references()
        self._breakpoints = tuple(sorted(self._dates()))
        document = {
            "pack": self.id,
            "versions": [v.canonical for v in self.versions],
            "layers": [layer.content_hash for layer in self.layers],
        }
        self._hash = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()

    @property
    def version(self) -> str:
        """The latest version; an evaluation reports the one in force on its date."""
        return self.versions[-1].version

    @property
    def latest(self) -> PackVersion:
        return self.versions[-1]

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical content of every file that takes part, layers included."""
        return self._hash

    def version_on(self, as_of: date) -> PackVersion:
        for version in reversed(self.versions):
            if in_force(version.effective_from, version.effective_to, as_of):
                return version
        first = self.versions[0].effective_from.isoformat()
        raise NoRuleInForce(
            f"pack {self.id} has no version in force on {as_of.isoformat()} "
            f"(its first version takes effect {first})"
        )

    def span(self, as_of: date) -> int:
        """Which stretch of days ``as_of`` falls in: nothing in the stack (versions, rules,
        duties, hold limits, layers) starts or ends inside one."""
        return bisect_right(self._breakpoints, as_of)

    def plan(self, kind: InstrumentKind, action: str, as_of: date) -> Plan:
        key = (kind, action, bisect_right(self._breakpoints, as_of))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._build_plan(kind, action, as_of)
        return plan

    def own_rules(self) -> list[tuple[PackVersion, CompiledRule]]:
        return [(v, rule) for v in self.versions for rule in self._compiled[v.version][0]]

    def own_duties(self) -> list[tuple[PackVersion, CompiledDuty]]:
        return [(v, duty) for v in self.versions for duty in self._compiled[v.version][1]]

    def _levels(self, as_of: date, depth: int = 0) -> list[_Level]:
        levels = []
        try:
            version = self.version_on(as_of)
        except NoRuleInForce:
            if depth == 0:
                raise
            version = None  # a layer not yet in force contributes no rules; its own may
        if version is not None:
            rules, duties = self._compiled[version.version]
            levels.append(_Level(depth, self.id, version, rules, duties))
        for layer in self.layers:
            levels += layer._levels(as_of, depth + 1)
        return levels

    def stack_on(self, as_of: date) -> list[tuple[RulePack, PackVersion]]:
        """This pack's version in force and each layer's, nearest first (depth-first)."""
        out: list[tuple[RulePack, PackVersion]] = []
        with suppress(NoRuleInForce):
            out.append((self, self.version_on(as_of)))
        for layer in self.layers:
            out += layer.stack_on(as_of)
        return out

    def _build_plan(self, kind: InstrumentKind, action: str, as_of: date) -> Plan:
        levels = self._levels(as_of)
        entries = [
            (level.depth, rule)
            for level in levels
            for rule in level.rules
            if _applies(rule.spec, kind, action, as_of)
        ]
        duties = [
            duty
            for level in levels
            for duty in level.duties
            if kind in duty.spec.applies_to.kinds
            and action in duty.spec.applies_to.actions
            and in_force(duty.spec.effective_from, duty.spec.effective_to, as_of)
        ]
        closure = _exception_closure([rule for level in levels for rule in level.rules])
        return Plan(action, tuple(entries), closure, tuple(duties))

    def _dates(self) -> set[date]:
        """Every date on which a version, rule or duty of the stack starts or ends."""
        out: set[date] = set()
        for version in self.versions:
            spans = [(version.effective_from, version.effective_to)]
            spans += [(r.effective_from, r.effective_to) for r in version.rules]
            spans += [(d.effective_from, d.effective_to) for d in version.duties]
            # Hold limits too: an evaluation's hold limit is remembered per span of days.
            spans += [(h.effective_from, h.effective_to) for h in version.hold_limits]
            spans += [
                (r.hold_limit.effective_from, r.hold_limit.effective_to)
                for r in version.rules
                if r.hold_limit is not None
            ]
            for start, end in spans:
                out.add(start)
                if end is not None:
                    out.add(end + timedelta(days=1))
        for layer in self.layers:
            out |= set(layer._breakpoints)
        return out

    def _check_references(self) -> None:
        """exception_to must name a rule of the same version or of a layer; ids are unique."""
        layer_ids = {r.spec.id for layer in self.layers for _, r in layer.all_rules()}
        for version in self.versions:
            own = {r.id for r in version.rules}
            for rule in version.rules:
                if rule.id in layer_ids:
                    raise PackError(f"{rule.where}: id {rule.id} is already used by a layer")
                for target in rule.exception_to:
                    if target not in own and target not in layer_ids:
                        raise PackError(
                            f"{rule.exception_where}: no rule {target!r} in this version "
                            "or its layers"
                        )
        _exception_closure([r for _, r in self.all_rules()], check_cycles=True)

    def all_rules(self) -> list[tuple[int, CompiledRule]]:
        out = [(0, rule) for _, rule in self.own_rules()]
        for layer in self.layers:
            out += [(depth + 1, rule) for depth, rule in layer.all_rules()]
        return out


def _applies(spec: RuleSpec, kind: InstrumentKind, action: str, as_of: date) -> bool:
    return (
        kind in spec.applies_to.kinds
        and action in spec.applies_to.actions
        and in_force(spec.effective_from, spec.effective_to, as_of)
    )


def _exception_closure(
    rules: list[CompiledRule], check_cycles: bool = False
) -> dict[str, frozenset[str]]:
    """For each rule id, every rule it overrides through a chain of exception_to."""
    direct: dict[str, set[str]] = {}
    for rule in rules:
        direct.setdefault(rule.spec.id, set()).update(rule.spec.exception_to)
    closure: dict[str, frozenset[str]] = {}
    for rule_id in direct:
        seen: set[str] = set()
        todo = list(direct[rule_id])
        while todo:
            target = todo.pop()
            if target == rule_id and check_cycles:
                where = next(r.spec.where for r in rules if r.spec.id == rule_id)
                raise PackError(
                    f"{where}.exception_to: {rule_id} is, through a chain, an exception to itself"
                )
            if target not in seen:
                seen.add(target)
                todo.extend(direct.get(target, ()))
        closure[rule_id] = frozenset(seen)
    return closure


def ensure_pack_id(pack: RulePack, requested: str) -> None:
    if pack.id != requested:
        raise InvalidInput(f"the request names pack {requested!r} but was given pack {pack.id!r}")

"""Compiled rules and the per-(kind, action, date) plan that resolves them, Catala-style:
collect the rules whose condition holds, drop those overridden (``exception_to`` chains, and
a lower layer's ``floor`` or ``ceiling`` rule against the packs stacked on it), then one
effect remains, or the rules left disagree (a conflict), or nothing held (no rule in force).

Bit *i* of a mask stands for ``Plan.rules[i]``; rules are ordered local pack first, so the
lowest remaining bit is the rule reported as deciding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Any

from lexdesk.domain.rules.conditions import FACTS, PUBLIC, Compare, Condition, Test
from lexdesk.domain.rules.facts import Facts, disclosed_field
from lexdesk.domain.rules.records import ChargePending, ConvictionIn
from lexdesk.domain.rules.schema import EFFECT_RANK, DutySpec, RuleSpec
from lexdesk.domain.rules.wording import fact_label


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    pack: str
    order: int
    test: Test | None
    leaves: tuple[Condition, ...]
    rank: int
    #: The conditions on convictions and charges whose table has unconfirmed entries: only
    #: these can make an answer turn on an unconfirmed entry (``turns_on``).
    unconfirmed: tuple[ConvictionIn | ChargePending, ...] = ()

    @property
    def id(self) -> str:
        return self.spec.id


def compile_rule(spec: RuleSpec, pack: str, order: int) -> CompiledRule:
    when = spec.when
    leaves = when.leaves() if when is not None else ()
    return CompiledRule(
        spec=spec,
        pack=pack,
        order=order,
        test=when.compile() if when is not None else None,
        leaves=leaves,
        rank=EFFECT_RANK[spec.effect],
        unconfirmed=tuple(
            leaf
            for leaf in leaves
            if isinstance(leaf, ConvictionIn | ChargePending)
            and leaf.filter.table is not None
            and not leaf.filter.table.confirmed
        ),
    )


@dataclass(frozen=True)
class CompiledDuty:
    spec: DutySpec
    test: Test | None


def compile_duty(spec: DutySpec) -> CompiledDuty:
    return CompiledDuty(spec, spec.when.compile() if spec.when is not None else None)


@dataclass(frozen=True)
class Resolution:
    """How one set of holding rules resolves, with the parts of the explanation that depend
    on nothing else, computed once per (plan, mask) and reused by every evaluation."""

    holding: tuple[CompiledRule, ...]
    deciding: tuple[CompiledRule, ...]  # the rules left standing, the reported one first
    overridden: tuple[CompiledRule, ...]
    failed: tuple[CompiledRule, ...]  # rules in scope whose condition did not hold
    status: str | None  # None when nothing holds or the rules left disagree
    summary: dict[str, Any]  # the action's JSON, but for failed conditions and duties
    reason: str
    citations: tuple[str, ...]
    overridden_rank: int  # the strongest effect overridden, -1 if none

    @property
    def conflict(self) -> bool:
        return self.status is None and bool(self.holding)


@dataclass(frozen=True)
class Hypothesis:
    """One single-fact change that ``missing`` tries: set ``attribute`` to ``new_value`` or,
    for convictions and charges, add a record that meets ``record`` (found on the date)."""

    fact: str
    value: object
    attribute: str | None
    new_value: object
    record: ConvictionIn | ChargePending | None
    mask: int
    top_rank: int  # the strongest effect among the rules the change can affect

    @cached_property
    def label(self) -> str:
        """The change in words (``missing``'s ``label``), worded once per hypothesis."""
        record = self.record.render(words=True) if self.record is not None else ""
        return fact_label(self.fact, self.value, record)

    def apply(self, facts: Facts) -> Facts | None:
        """The changed facts, or None when the change is no change (or cannot be made)."""
        if self.attribute is not None:
            if getattr(facts, self.attribute) == self.new_value:
                return None
            return facts.changed(self.attribute, self.new_value)
        assert self.record is not None
        witness = self.record.witness(facts)
        return None if witness is None else facts.with_record(witness)


class Plan:
    """The rules in scope for one (kind, action) on the dates of one segment."""

    def __init__(
        self,
        action: str,
        entries: tuple[tuple[int, CompiledRule], ...],
        closure: dict[str, frozenset[str]],
        duties: tuple[CompiledDuty, ...],
    ) -> None:
        ordered = sorted(entries, key=lambda e: (e[0], e[1].pack, e[1].order))
        self.action = action
        self.rules = tuple(rule for _, rule in ordered)
        self.depths = tuple(depth for depth, _ in ordered)
        self.defeats = _defeat_masks(self.rules, self.depths, closure)
        self.always = sum(1 << i for i, r in enumerate(self.rules) if r.test is None)
        self.conditional = tuple(
            (1 << i, r.test) for i, r in enumerate(self.rules) if r.test is not None
        )
        self.hypotheses = _hypotheses(self.rules, action)
        self.hypotheses_rank = max((h.top_rank for h in self.hypotheses), default=-1)
        self.duties = duties
        self.fixed_duties = all(d.test is None for d in duties)
        #: Each unconfirmed record condition of the plan, in rule order, with the hypothesis
        #: that ``missing`` would offer for it (as ``turns_on`` compares them).
        self.unconfirmed = tuple(
            (leaf, repr(leaf.hypothesis())) for rule in self.rules for leaf in rule.unconfirmed
        )
        self.reads = _reads(self.rules, duties)
        self._read = attrgetter(*self.reads) if self.reads else None
        self._tabled: dict[object, Tabled] = {}
        self._resolutions: dict[int, Resolution] = {}

    @property
    def tabulable(self) -> bool:
        """Whether every condition of the plan reads only facts with a few values (warrant,
        issuer, yes/no facts): then everything an action's explanation works out from the
        facts (failed conditions, duties, ``missing``) is a function of those values, and is
        worked out once per combination that occurs (``tabled``)."""
        return self.reads is not None

    def key(self, facts: Facts) -> object:
        """The values of the facts the plan reads (only for a tabulable plan)."""
        return self._read(facts) if self._read is not None else ()

    def tabled(self, key: object) -> Tabled | None:
        return self._tabled.get(key)

    def table(self, key: object, tabled: Tabled) -> None:
        self._tabled[key] = tabled

    def mask(self, facts: Facts) -> int:
        mask = self.always
        for bit, test in self.conditional:
            if test(facts):
                mask |= bit
        return mask

    def remask(self, facts: Facts, mask: int, changed: int) -> int:
        """The mask again, re-testing only the rules a changed fact can affect."""
        out = (mask & ~changed) | (self.always & changed)
        for bit, test in self.conditional:
            if bit & changed and test(facts):
                out |= bit
        return out

    def resolve(self, mask: int) -> Resolution:
        resolution = self._resolutions.get(mask)
        if resolution is None:
            resolution = self._resolutions[mask] = self._resolve(mask)
        return resolution

    def _resolve(self, mask: int) -> Resolution:
        defeated = 0
        for i in _bits(mask):
            defeated |= self.defeats[i] & mask
        standing = mask & ~defeated
        holding = tuple(self.rules[i] for i in _bits(mask))
        deciding = tuple(self.rules[i] for i in _bits(standing)) or holding
        overridden = tuple(self.rules[i] for i in _bits(defeated))
        effects = {rule.spec.effect for rule in deciding}
        status = effects.pop() if len(effects) == 1 and standing else None
        citations = tuple(dict.fromkeys(r.spec.citation for r in deciding + overridden))
        return Resolution(
            holding=holding,
            deciding=deciding,
            overridden=overridden,
            failed=tuple(r for i, r in enumerate(self.rules) if not mask >> i & 1),
            status=status,
            summary=_summary(status, deciding, overridden, citations),
            reason=_reason(self.action, status, deciding, overridden),
            citations=citations,
            overridden_rank=max((r.rank for r in overridden), default=-1),
        )


@dataclass(frozen=True)
class Tabled:
    """What one combination of a tabulable plan's facts explains: each failed rule with its
    failed conditions, the duties that apply and the ``missing`` changes (explain.Change)."""

    failed: tuple[tuple[CompiledRule, tuple[str, ...]], ...]
    duties: tuple[CompiledDuty, ...]
    missing: tuple[Any, ...]


#: Facts with a few values each, as opposed to dates and records: see ``Plan.tabulable``.
_FEW_VALUES = ("choice", "flag")


def _reads(
    rules: tuple[CompiledRule, ...], duties: tuple[CompiledDuty, ...]
) -> tuple[str, ...] | None:
    leaves = [leaf for rule in rules for leaf in rule.leaves]
    leaves += [leaf for d in duties if d.spec.when is not None for leaf in d.spec.when.leaves()]
    attributes: dict[str, None] = {}
    for leaf in leaves:
        if not isinstance(leaf, Compare) or FACTS[leaf.path].kind not in _FEW_VALUES:
            return None
        attributes[FACTS[leaf.path].attribute] = None
    return tuple(attributes)


def _summary(
    status: str | None,
    deciding: tuple[CompiledRule, ...],
    overridden: tuple[CompiledRule, ...],
    citations: tuple[str, ...],
) -> dict[str, Any]:
    if not deciding:
        return {}
    first = deciding[0].spec
    out: dict[str, Any] = {
        "status": status or "conflict",
        "rule": first.id if status else None,
        "citation": first.citation if status else None,
    }
    if status is None:
        out["conflicting"] = [r.id for r in deciding]
    out.update(
        label=first.label if status else None,
        verification=first.verification.status if status else None,
        concurring=[r.id for r in deciding[1:]] if status else [],
        overrode=[r.id for r in overridden],
        citations=list(citations),
    )
    return out


def _reason(
    action: str,
    status: str | None,
    deciding: tuple[CompiledRule, ...],
    overridden: tuple[CompiledRule, ...],
) -> str:
    if not deciding:
        return f"{action}: no rule in force"
    if status is None:
        rules = ", ".join(f"{r.id} ({r.spec.effect})" for r in deciding)
        return f"{action}: conflict between {rules}: a lawyer must decide"
    first = deciding[0].spec
    line = f"{action}: {status} under {first.id} ({first.citation})"
    if overridden:
        line += ", overriding " + ", ".join(r.id for r in overridden)
    return line


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _defeat_masks(
    rules: tuple[CompiledRule, ...], depths: tuple[int, ...], closure: dict[str, frozenset[str]]
) -> tuple[int, ...]:
    masks = [0] * len(rules)
    for i, rule in enumerate(rules):
        overrides = closure.get(rule.id, frozenset())
        for j, other in enumerate(rules):
            if other.id in overrides:
                masks[i] |= 1 << j
            # A floor rule of a lower layer sets a minimum for the packs stacked on it: a
            # stacked rule asking less is overridden, one asking more overrides the floor.
            # A ceiling is the mirror: a maximum (state law withholding an authority that
            # local law grants); a stacked rule asking less overrides it.
            if depths[j] >= depths[i] or rule.spec.precedence is None:
                continue
            # Beyond the bound: asking less than a floor, or more than a ceiling.
            beyond = (
                other.rank < rule.rank
                if rule.spec.precedence == "floor"
                else (other.rank > rule.rank)
            )
            if beyond:
                masks[i] |= 1 << j
            elif other.rank != rule.rank:
                masks[j] |= 1 << i
    return tuple(masks)


def _hypotheses(rules: tuple[CompiledRule, ...], action: str) -> tuple[Hypothesis, ...]:
    """The single-fact changes worth trying, derived from the conditions' leaves."""
    masks: dict[str, int] = {}
    leaves: list[Condition] = []
    for i, rule in enumerate(rules):
        for leaf in rule.leaves:
            masks[leaf.fact()] = masks.get(leaf.fact(), 0) | 1 << i
            leaves.append(leaf)
    found: dict[tuple[str, str], Hypothesis] = {}
    for leaf in leaves:
        mask = masks[leaf.fact()]
        top = max(r.rank for i, r in enumerate(rules) if mask >> i & 1)
        for hypothesis in _leaf_hypotheses(leaf, action, mask, top):
            found.setdefault((hypothesis.fact, repr(hypothesis.value)), hypothesis)
    return tuple(found.values())


def _leaf_hypotheses(leaf: Condition, action: str, mask: int, top: int) -> list[Hypothesis]:
    if isinstance(leaf, Compare) and leaf.path == PUBLIC:
        # Asked as a request field: which information is already public.
        field = disclosed_field(action)
        if field is None:
            return []
        spec = FACTS[PUBLIC]
        return [
            Hypothesis("person.public_information", field, spec.attribute, True, None, mask, top)
        ]
    if isinstance(leaf, Compare):
        spec = FACTS[leaf.path]
        return [
            Hypothesis(leaf.path, value, spec.attribute, value, None, mask, top)
            for value in spec.values
        ]
    if isinstance(leaf, ConvictionIn | ChargePending):
        return [Hypothesis(leaf.fact(), leaf.hypothesis(), None, None, leaf, mask, top)]
    return []

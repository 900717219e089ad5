"""How long a hold may last, as the law in force on a date says: the pack's own version, or,
where it states ``hold_limit: default``, the nearest layer that states one (the federal
layer: Form I-247A's 48 clock hours, and before 2 April 2017 the older forms' 48 hours
excluding Saturdays, Sundays and holidays). A rule that permits a hold of its own kind may
state its own limit (N.Y.C. Admin. Code § 14-154(b)(2)): an evaluation that a hold is
permitted under it reports that one. The deadline code reads these; it never guesses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lexdesk.domain.rules.errors import NoRuleInForce
from lexdesk.domain.rules.evidence import HoldLimitSpec
from lexdesk.domain.rules.pack import PackSource, RulePack
from lexdesk.domain.rules.schema import RuleSpec

CLOCK_HOURS = "clock_hours"
BUSINESS_HOURS = "business_hours"


@dataclass(frozen=True)
class HoldLimit:
    """A hold may last ``hours`` after the person would otherwise be released, counted in
    clock hours or in business hours (Saturdays, Sundays and holidays excluded)."""

    hours: int
    counting: str  # "clock_hours" | "business_hours"
    citation: str
    url: str
    text: str
    verification: str  # "verified" | "unconfirmed"
    pack: str  # the pack whose version states it
    version: str
    rule: str | None  # the rule that states it, when a rule does
    inherited: bool  # stated by a layer because the pack asked for the default
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "counting": self.counting,
            "citation": self.citation,
            "url": self.url,
            "verification": self.verification,
            "pack": self.pack,
            "version": self.version,
            "rule": self.rule,
            "inherited": self.inherited,
            "note": self.note,
        }


def hold_limit(source: PackSource | RulePack, pack_id: str, as_of: date) -> HoldLimit:
    """The hold limit of ``pack_id`` on ``as_of``. Raises NoRuleInForce when the pack has no
    version in force on the date; InvalidInput for an unknown pack."""
    pack = source if isinstance(source, RulePack) else source.get(pack_id)
    pack.version_on(as_of)  # a pack with no version in force has no limit either
    for owner, version in pack.stack_on(as_of):
        spec = version.hold_limit_on(as_of)
        if spec is not None:
            return _limit(spec, owner.id, version.version, None, owner is not pack)
    raise NoRuleInForce(
        f"neither {pack_id} nor its layers state a hold limit on {as_of.isoformat()}"
    )


def rule_hold_limit(pack: RulePack, as_of: date, rule: RuleSpec, owner: str) -> HoldLimit:
    """The limit on a hold permitted (or required) under ``rule``: its own, else the pack's."""
    spec = rule.hold_limit
    if spec is not None and spec.in_force(as_of):
        version = next((v.version for p, v in pack.stack_on(as_of) if p.id == owner), pack.version)
        return _limit(spec, owner, version, rule.id, owner != pack.id)
    return hold_limit(pack, pack.id, as_of)


def deciding_hold_limit(
    pack: RulePack, as_of: date, rule: RuleSpec, owner: str
) -> HoldLimit | None:
    """``rule_hold_limit``, or None where neither the rule nor the stack states a limit;
    remembered per pack, rule and span of days (the limits change only between spans)."""
    key = (rule.id, owner, pack.span(as_of))
    try:
        found = pack.hold_limits[key]
    except KeyError:
        try:
            found = rule_hold_limit(pack, as_of, rule, owner)
        except NoRuleInForce:
            found = None
        pack.hold_limits[key] = found
    return found


def _limit(
    spec: HoldLimitSpec, pack: str, version: str, rule: str | None, inherited: bool
) -> HoldLimit:
    return HoldLimit(
        hours=spec.hours,
        counting=spec.counting,
        citation=spec.citation,
        url=spec.url,
        text=spec.text,
        verification=spec.verification.status,
        pack=pack,
        version=version,
        rule=rule,
        inherited=inherited,
        note=spec.note,
    )

"""The pack format: one YAML file per law version, read strictly into frozen dataclasses.
Unknown keys, wrong types and references to rules or tables that do not exist fail with file,
line and key; so does a text marked verified without its provenance (:mod:`.evidence`).
``docs/rules.md`` documents every key; this module is its executable form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from lexdesk.domain.rules.conditions import Condition
from lexdesk.domain.rules.evidence import (
    HoldLimitSpec,
    Source,
    Verification,
    check_version_provenance,
    parse_hold_limit,
    parse_hold_limits,
    parse_source,
    parse_verification,
)
from lexdesk.domain.rules.scope import AppliesTo, parse_applies_to
from lexdesk.domain.rules.source import Document, Node
from lexdesk.domain.rules.syntax import parse_condition
from lexdesk.domain.rules.tables import Table, parse_table

__all__ = ["AppliesTo", "DutySpec", "PackVersion", "RuleSpec", "Source", "parse_pack_version"]

#: Effects, weakest first: "toward compliance" means up this list.
EFFECTS = ("prohibited", "permitted", "required")
EFFECT_RANK = {effect: rank for rank, effect in enumerate(EFFECTS)}
LEVELS = ("federal", "state", "local")
#: Across layers: a lower layer's floor is a minimum, its ceiling a maximum (§ 1).
PRECEDENCES = ("floor", "ceiling")
RULE_KEYS = ("id", "label", "applies_to", "effect", "citation", "url", "text", "verification")
RULE_OPTIONAL = (
    "exception_to", "when", "precedence", "effective_from", "effective_to", "note", "hold_limit",
)  # fmt: skip


@dataclass(frozen=True)
class RuleSpec:
    id: str
    label: str
    exception_to: tuple[str, ...]
    applies_to: AppliesTo
    when: Condition | None
    effect: str
    precedence: str | None
    citation: str
    url: str
    text: str
    effective_from: date
    effective_to: date | None
    verification: Verification
    note: str
    where: str  # "file:line: rules[3]", for errors found when packs are stacked
    exception_where: str  # the same for its exception_to key
    hold_limit: HoldLimitSpec | None = None  # how long the hold this rule permits may last


@dataclass(frozen=True)
class DutySpec:
    """Something the agency must also do when an action ends with a status in ``status_in``
    (tell the person, give them a copy): reported with the decision, never a status itself."""

    id: str
    label: str
    applies_to: AppliesTo
    status_in: frozenset[str]
    when: Condition | None
    citation: str
    url: str
    text: str
    effective_from: date
    effective_to: date | None
    verification: Verification


@dataclass(frozen=True)
class PackVersion:
    pack: str
    version: str
    title: str
    level: str
    jurisdiction: str
    agency: str
    layers: tuple[str, ...]
    effective_from: date
    effective_to: date | None
    sources: tuple[Source, ...]
    notes: str
    tables: dict[str, Table]
    rules: tuple[RuleSpec, ...]
    duties: tuple[DutySpec, ...]
    filename: str
    canonical: str  # the parsed content as canonical JSON, for the pack's content hash
    hold_limits: tuple[HoldLimitSpec, ...] = ()  # empty: the default, from the layers

    def hold_limit_on(self, on: date) -> HoldLimitSpec | None:
        return next((h for h in self.hold_limits if h.in_force(on)), None)


VERSION_KEYS = (
    "pack", "version", "title", "level", "jurisdiction", "agency", "effective_from", "sources",
    "hold_limit", "rules",
)  # fmt: skip
VERSION_OPTIONAL = ("layers", "effective_to", "notes", "tables", "duties")


def parse_pack_version(doc: Document, pack_id: str, version: str) -> PackVersion:
    root = Node.root(doc)
    root.mapping(required=VERSION_KEYS, optional=VERSION_OPTIONAL)
    _expect(root.child("pack"), pack_id, "the pack's folder name")
    _expect(root.child("version"), version, "the file name")
    start, end = _dates(root, root.child("effective_from").day())
    sources = tuple(parse_source(n) for n in root.child("sources").entries())
    tables = {name: parse_table(name, node) for name, node in _optional_items(root, "tables")}
    rules = tuple(_parse_rule(node, tables, start, end) for node in root.child("rules").entries())
    _check_rule_ids(root, rules)
    duty_nodes = root.child("duties").entries() if root.has("duties") else []
    hold_limits = parse_hold_limits(root.child("hold_limit"), start, end)
    check_version_provenance(root, sources)
    return PackVersion(
        pack=pack_id,
        version=version,
        title=root.child("title").text(),
        level=_level(root.child("level")),
        jurisdiction=root.child("jurisdiction").text(),
        agency=root.child("agency").text(),
        layers=root.child("layers").text_list() if root.has("layers") else (),
        effective_from=start,
        effective_to=end,
        sources=sources,
        notes=root.child("notes").text_or(""),
        tables=tables,
        rules=rules,
        duties=tuple(_parse_duty(node, tables, start, end) for node in duty_nodes),
        filename=doc.filename,
        canonical=json.dumps(doc.data, sort_keys=True, default=str),
        hold_limits=hold_limits,
    )


def _level(node: Node) -> str:
    level = node.text()
    if level not in LEVELS:
        node.fail(f"unknown level {level!r}: use {', '.join(LEVELS)}")
    return level


def _expect(node: Node, wanted: str, named_after: str) -> None:
    if node.text() != wanted:
        node.fail(f"is {node.text()!r} but must match {named_after}, {wanted!r}")


def _optional_items(node: Node, key: str) -> list[tuple[str, Node]]:
    return node.child(key).items() if node.has(key) else []


def _dates(
    node: Node, outer_start: date, outer_end: date | None = None
) -> tuple[date, date | None]:
    """A rule's dates default to its version's and must lie within them."""
    start = node.child("effective_from").day() if node.has("effective_from") else outer_start
    end = node.child("effective_to").day_or_none() if node.has("effective_to") else outer_end
    if start < outer_start:
        node.child("effective_from").fail(f"starts before its version ({outer_start})")
    if end is not None and end < start:
        node.child("effective_to").fail(f"ends ({end}) before it starts ({start})")
    if outer_end is not None and (end is None or end > outer_end):
        node.child("effective_to").fail(f"must end by the end of its version ({outer_end})")
    return start, end


def _condition(node: Node, tables: dict[str, Table]) -> Condition | None:
    return parse_condition(node.child("when"), tables) if node.has("when") else None


def _parse_rule(node: Node, tables: dict[str, Table], start: date, end: date | None) -> RuleSpec:
    node.mapping(required=RULE_KEYS, optional=RULE_OPTIONAL)
    effect = node.child("effect").text()
    if effect not in EFFECTS:
        node.child("effect").fail(f"unknown effect {effect!r}: use {', '.join(EFFECTS)}")
    precedence = node.child("precedence").text() if node.has("precedence") else None
    if precedence is not None and precedence not in PRECEDENCES:
        node.child("precedence").fail(f"unknown precedence {precedence!r}: use floor or ceiling")
    exception_to = node.child("exception_to")
    rule_start, rule_end = _dates(node, start, end)
    return RuleSpec(
        id=node.child("id").text(),
        label=node.child("label").text(),
        exception_to=exception_to.text_list() if exception_to.value is not None else (),
        applies_to=parse_applies_to(node.child("applies_to")),
        when=_condition(node, tables),
        effect=effect,
        precedence=precedence,
        citation=node.child("citation").text(),
        url=node.child("url").text(),
        text=node.child("text").text(),
        effective_from=rule_start,
        effective_to=rule_end,
        verification=parse_verification(node.child("verification")),
        note=node.child("note").text_or(""),
        where=node.where,
        exception_where=exception_to.where,
        hold_limit=parse_hold_limit(node.child("hold_limit"), rule_start, rule_end)
        if node.has("hold_limit")
        else None,
    )


def _check_rule_ids(root: Node, rules: tuple[RuleSpec, ...]) -> None:
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        node = root.child("rules").child(index)
        if rule.id in seen:
            node.child("id").fail(f"rule id {rule.id} is used twice")
        seen.add(rule.id)
        if rule.id in rule.exception_to:
            node.child("exception_to").fail("a rule cannot be an exception to itself")


def _parse_duty(node: Node, tables: dict[str, Table], start: date, end: date | None) -> DutySpec:
    node.mapping(
        required=(
            "id",
            "label",
            "applies_to",
            "status_in",
            "citation",
            "url",
            "text",
            "verification",
        ),
        optional=("when", "effective_from", "effective_to"),
    )
    duty_start, duty_end = _dates(node, start, end)
    return DutySpec(
        id=node.child("id").text(),
        label=node.child("label").text(),
        applies_to=parse_applies_to(node.child("applies_to")),
        status_in=_statuses(node.child("status_in")),
        when=_condition(node, tables),
        citation=node.child("citation").text(),
        url=node.child("url").text(),
        text=node.child("text").text(),
        effective_from=duty_start,
        effective_to=duty_end,
        verification=parse_verification(node.child("verification")),
    )


def _statuses(node: Node) -> frozenset[str]:
    for item in node.entries():
        if item.text() not in EFFECTS:
            item.fail(f"unknown status {item.text()!r}: use {', '.join(EFFECTS)}")
    return frozenset(node.text_list())

"""``applies_to``: the instrument kinds and actions a rule or duty speaks to, with the
wildcards ``*`` (every kind addressed to a custodial agency, every action) and
``disclose:*`` (every disclosure)."""

from __future__ import annotations

from dataclasses import dataclass

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.rules.source import Node
from lexdesk.domain.vocabulary import (
    ALL_ACTIONS,
    CUSTODIAN_ADDRESSED_KINDS,
    DISCLOSE_PREFIX,
    InstrumentKind,
    parse_action,
    parse_kind,
)


@dataclass(frozen=True)
class AppliesTo:
    kinds: frozenset[InstrumentKind]
    actions: frozenset[str]


def parse_applies_to(node: Node) -> AppliesTo:
    node.mapping(required=("kinds", "actions"))
    kinds: set[InstrumentKind] = set()
    for item in node.child("kinds").entries():
        kinds |= CUSTODIAN_ADDRESSED_KINDS if item.text() == "*" else {_kind(item)}
    actions: set[str] = set()
    for item in node.child("actions").entries():
        actions |= _actions(item)
    if not kinds or not actions:
        node.fail("applies_to needs at least one kind and one action")
    return AppliesTo(frozenset(kinds), frozenset(actions))


def _kind(node: Node) -> InstrumentKind:
    try:
        return parse_kind(node.text())
    except InvalidInput as exc:
        node.fail(str(exc))


def _actions(node: Node) -> set[str]:
    name = node.text()
    if name == "*":
        return set(ALL_ACTIONS)
    if name == DISCLOSE_PREFIX + "*":
        return {a for a in ALL_ACTIONS if a.startswith(DISCLOSE_PREFIX)}
    try:
        return {parse_action(name)}
    except InvalidInput as exc:
        node.fail(str(exc))

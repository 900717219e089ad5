"""The YAML syntax of a rule's ``when``: one operation per mapping, from the closed set

    all: [...]   any: [...]   not: {...}
    fact: person.tsdb_match                       (a yes/no fact is true)
    eq: {fact: instrument.warrant, value: judicial}
    in: {fact: instrument.warrant, values: [judicial, administrative]}
    before / on_or_after: {fact: person.arrested_on, date: 2017-09-01}
    conviction: {table: T, not_in: T2, level: felony, class: wobbler, state_prison: true,
                 within_years: 5, counted_from: judgment}      (every key optional)
    pending_charge: {table: T, level: felony, state_prison: true, probable_cause: true}

read into the nodes of :mod:`lexdesk.domain.rules.conditions`. Anything else fails with the
file, line and path of the offending key."""

from __future__ import annotations

from collections.abc import Mapping

from lexdesk.domain.rules.conditions import (
    FACTS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    FactSpec,
    Not,
)
from lexdesk.domain.rules.records import ChargePending, ConvictionIn, RecordFilter
from lexdesk.domain.rules.request import LEVELS
from lexdesk.domain.rules.source import Node
from lexdesk.domain.rules.tables import CLASSES, OFFENSE_TABLE, Table

FILTER_KEYS = ("table", "not_in", "level", "class", "state_prison")


def parse_condition(node: Node, tables: Mapping[str, Table]) -> Condition:
    """Read one condition; an unknown operation or fact fails with file, line and path."""
    if not isinstance(node.value, dict) or len(node.value) != 1:
        node.fail("a condition is a mapping with exactly one operation")
    operation, arg = next(iter(node.items()))
    if operation in ("all", "any"):
        items = tuple(parse_condition(item, tables) for item in arg.entries())
        if len(items) < 2:
            arg.fail(f"'{operation}' needs at least two conditions")
        return AllOf(items) if operation == "all" else AnyOf(items)
    if operation == "not":
        return Not(parse_condition(arg, tables))
    if operation == "fact":
        return Compare(_flag_fact(arg), "fact", (True,))
    if operation in ("eq", "in", "before", "on_or_after"):
        return _parse_compare(operation, arg)
    if operation == "conviction":
        if arg.value is None:
            arg = Node(arg.doc, arg.path, {})
        arg.mapping(required=(), optional=(*FILTER_KEYS, "within_years", "counted_from"))
        years = arg.child("within_years")
        within = None if years.value is None else years.integer()
        if within is not None and within < 1:
            years.fail("within_years must be at least 1")
        counted = arg.child("counted_from").text() if arg.has("counted_from") else "release"
        if counted not in ("release", "judgment"):
            arg.child("counted_from").fail("counted_from is release or judgment")
        return ConvictionIn(_filter(arg, tables), within, counted)
    if operation == "pending_charge":
        if arg.value is None:
            arg = Node(arg.doc, arg.path, {})
        arg.mapping(required=(), optional=(*FILTER_KEYS, "probable_cause"))
        found = arg.child("probable_cause")
        if found.value is not None and found.value is not True:
            found.fail("probable_cause is true or left out")
        return ChargePending(_filter(arg, tables), found.value is True)
    known = "all, any, not, fact, eq, in, before, on_or_after, conviction, pending_charge"
    return node.child(operation).fail(f"unknown operation {operation!r} (known: {known})")


def _flag_fact(node: Node) -> str:
    path = node.text()
    if FACTS.get(path, FactSpec("", "")).kind != "flag":
        flags = ", ".join(p for p, spec in FACTS.items() if spec.kind == "flag")
        node.fail(f"{path!r} is not a yes/no fact (use one of {flags})")
    return path


def _parse_compare(operation: str, arg: Node) -> Compare:
    value_key = {"in": "values"}.get(
        operation, "date" if operation in ("before", "on_or_after") else "value"
    )
    arg.mapping(required=("fact", value_key))
    path = arg.child("fact").text()
    spec = FACTS.get(path)
    wanted = "date" if value_key == "date" else "choice"
    if spec is None or spec.kind != wanted:
        facts = ", ".join(p for p, s in FACTS.items() if s.kind == wanted)
        arg.child("fact").fail(f"unknown fact {path!r} for '{operation}' (use one of {facts})")
    if value_key == "date":
        return Compare(path, operation, (arg.child("date").day(),))
    nodes = arg.child("values").entries() if value_key == "values" else [arg.child("value")]
    values = tuple(item.text() for item in nodes)
    for item, value in zip(nodes, values, strict=True):
        if value not in spec.values:
            allowed = ", ".join(map(str, spec.values))
            item.fail(f"{value!r} is not a value of {path} (use one of {allowed})")
    return Compare(path, operation, values)


def _filter(arg: Node, tables: Mapping[str, Table]) -> RecordFilter:
    level = arg.child("level").text() if arg.has("level") else None
    if level is not None and level not in LEVELS:
        arg.child("level").fail(f"unknown level {level!r}: use {', '.join(LEVELS)}")
    klass = arg.child("class").text() if arg.has("class") else None
    if klass is not None and klass not in CLASSES:
        arg.child("class").fail(f"unknown class {klass!r}: use {', '.join(CLASSES)}")
    prison = arg.child("state_prison")
    if prison.value is not None and not isinstance(prison.value, bool):
        prison.fail("state_prison must be true or false")
    if (klass is not None or prison.value is not None) and OFFENSE_TABLE not in tables:
        arg.fail(
            "a condition on an offense's class or punishability needs the offense table, "
            f"a table named {OFFENSE_TABLE!r}"
        )
    return RecordFilter(
        table=_table(arg.child("table"), tables) if arg.has("table") else None,
        not_in=_table(arg.child("not_in"), tables) if arg.has("not_in") else None,
        level=level,
        klass=klass,
        state_prison=prison.value if isinstance(prison.value, bool) else None,
        offenses=tables.get(OFFENSE_TABLE),
    )


def _table(node: Node, tables: Mapping[str, Table]) -> Table:
    name = node.text()
    if name not in tables:
        known = ", ".join(sorted(tables)) or "none defined"
        node.fail(f"unknown table {name!r} (tables: {known})")
    return tables[name]

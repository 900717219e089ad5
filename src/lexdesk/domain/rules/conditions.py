"""The closed set of operations a rule's ``when`` may use, parsed from YAML, compiled once into
closures, and able to say which of its parts failed. There is no embedded code: a condition
is a tree of the node classes below and nothing else.

    all: [...]   any: [...]   not: {...}
    fact: person.tsdb_match                       (a yes/no fact is true)
    eq: {fact: instrument.warrant, value: judicial}
    in: {fact: instrument.warrant, values: [judicial, administrative]}
    before / on_or_after: {fact: person.arrested_on, date: 2017-09-01}
    conviction: {table: violent_or_serious_crimes, within_years: 5}   (within_years optional)
    pending_charge: {table: serious_felonies}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from lexdesk.domain.rules.request import Facts
from lexdesk.domain.rules.source import Node
from lexdesk.domain.rules.tables import Table
from lexdesk.domain.vocabulary import Warrant

Test = Callable[[Facts], bool]
CONVICTIONS = "person.convictions"
PENDING_CHARGES = "person.pending_charges"


@dataclass(frozen=True)
class FactSpec:
    attribute: str
    kind: str  # "choice" (one of values), "flag" (true/false) or "date"
    values: tuple[object, ...] = ()


FACTS: dict[str, FactSpec] = {
    "instrument.warrant": FactSpec("warrant", "choice", tuple(w.value for w in Warrant)),
    "person.tsdb_match": FactSpec("tsdb_match", "flag", (True, False)),
    "person.prior_removal": FactSpec("prior_removal", "flag", (True, False)),
    "person.illegal_reentry": FactSpec("illegal_reentry", "flag", (True, False)),
    "person.proof_of_status": FactSpec("proof_of_status", "flag", (True, False)),
    "person.arrested_on": FactSpec("arrested_on", "date"),
    "as_of": FactSpec("as_of", "date"),
}


def years_before(anchor: date, years: int) -> date:
    try:
        return anchor.replace(year=anchor.year - years)
    except ValueError:  # 29 February in a year that has none
        return anchor.replace(year=anchor.year - years, day=28)


class Condition:
    """A node of the tree. Leaves name one fact; ``facts`` collects them for ``missing``."""

    def compile(self) -> Test:
        raise NotImplementedError

    def render(self) -> str:
        raise NotImplementedError

    def failures(self, facts: Facts) -> list[str]:
        """Why this (false) condition failed, leaf by leaf, with the values seen."""
        raise NotImplementedError

    def leaves(self) -> tuple[Condition, ...]:
        return (self,)

    def fact(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class AllOf(Condition):
    items: tuple[Condition, ...]

    def compile(self) -> Test:
        tests = tuple(item.compile() for item in self.items)
        if len(tests) == 2:
            first, second = tests
            return lambda f: first(f) and second(f)
        return lambda f: all(test(f) for test in tests)

    def render(self) -> str:
        return "all of (" + "; ".join(item.render() for item in self.items) + ")"

    def failures(self, facts: Facts) -> list[str]:
        return [
            msg for item in self.items if not item.compile()(facts) for msg in item.failures(facts)
        ]

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for item in self.items for leaf in item.leaves())


@dataclass(frozen=True)
class AnyOf(Condition):
    items: tuple[Condition, ...]

    def compile(self) -> Test:
        tests = tuple(item.compile() for item in self.items)
        if len(tests) == 2:
            first, second = tests
            return lambda f: first(f) or second(f)
        return lambda f: any(test(f) for test in tests)

    def render(self) -> str:
        return "any of (" + "; ".join(item.render() for item in self.items) + ")"

    def failures(self, facts: Facts) -> list[str]:
        return ["none of: " + "; ".join(m for item in self.items for m in item.failures(facts))]

    def leaves(self) -> tuple[Condition, ...]:
        return tuple(leaf for item in self.items for leaf in item.leaves())


@dataclass(frozen=True)
class Not(Condition):
    item: Condition

    def compile(self) -> Test:
        test = self.item.compile()
        return lambda f: not test(f)

    def render(self) -> str:
        return f"not ({self.item.render()})"

    def failures(self, facts: Facts) -> list[str]:
        return [f"{self.render()}: but {self.item.render()} holds"]

    def leaves(self) -> tuple[Condition, ...]:
        return self.item.leaves()


@dataclass(frozen=True)
class Compare(Condition):
    """``fact`` (flag is true), ``eq``, ``in``, ``before`` and ``on_or_after`` on one fact."""

    path: str
    operation: str
    values: tuple[object, ...]

    def compile(self) -> Test:
        read = attrgetter(FACTS[self.path].attribute)
        if self.operation == "fact":
            return lambda f: read(f) is True
        if self.operation == "eq":
            wanted = self.values[0]
            return lambda f: read(f) == wanted
        if self.operation == "in":
            allowed = frozenset(self.values)
            return lambda f: read(f) in allowed
        limit = self.values[0]
        if self.operation == "before":
            return lambda f: (d := read(f)) is not None and d < limit
        return lambda f: (d := read(f)) is not None and d >= limit

    def render(self) -> str:
        shown = ", ".join(_show(v) for v in self.values)
        phrases = {
            "fact": f"{self.path} is true",
            "eq": f"{self.path} is {shown}",
            "in": f"{self.path} is one of {shown}",
            "before": f"{self.path} is before {shown}",
            "on_or_after": f"{self.path} is on or after {shown}",
        }
        return phrases[self.operation]

    def failures(self, facts: Facts) -> list[str]:
        seen = getattr(facts, FACTS[self.path].attribute)
        return [f"{self.render()} (was {_show(seen)})"]

    def fact(self) -> str:
        return self.path


@dataclass(frozen=True)
class ConvictionIn(Condition):
    """A conviction for an offense listed in ``table``; with ``within_years``, one whose window
    (the later of conviction and release) starts no more than that many years before the
    arrest (the evaluation date when no arrest date is given)."""

    table: Table
    within_years: int | None

    @property
    def key(self) -> tuple[str, str, int | None]:
        return ("conviction", self.table.name, self.within_years)

    def compile(self) -> Test:
        key, table, years = self.key, self.table, self.within_years

        def look_up(f: Facts) -> bool:
            hit = f.memo.get(key)
            if hit is None:
                codes = table.codes_on(f.as_of)
                cutoff = None if years is None else years_before(f.arrested_on or f.as_of, years)
                hit = any(
                    c.offense in codes
                    and c.date <= f.as_of
                    and (cutoff is None or c.window_start >= cutoff)
                    for c in f.convictions
                )
                f.memo[key] = hit
            return hit

        return look_up

    def render(self) -> str:
        span = (
            "at any time"
            if self.within_years is None
            else (f"within {self.within_years} years before the arrest")
        )
        return f"a conviction listed in {self.table.name} {span}"

    def failures(self, facts: Facts) -> list[str]:
        return [f"{self.render()} (none of {len(facts.convictions)} convictions qualifies)"]

    def fact(self) -> str:
        return CONVICTIONS

    def hypothesis(self) -> dict[str, object]:
        out: dict[str, object] = {"offense_in": self.table.name}
        if self.within_years is not None:
            out["within_years"] = self.within_years
        return out

    def implies(self, other: Condition) -> bool:
        """Would a conviction meeting this condition also meet ``other``?"""
        if not isinstance(other, ConvictionIn) or other.table.name != self.table.name:
            return False
        if other.within_years is None:
            return True
        return self.within_years is not None and self.within_years <= other.within_years


@dataclass(frozen=True)
class ChargePending(Condition):
    table: Table

    @property
    def key(self) -> tuple[str, str]:
        return ("pending_charge", self.table.name)

    def compile(self) -> Test:
        key, table = self.key, self.table

        def look_up(f: Facts) -> bool:
            hit = f.memo.get(key)
            if hit is None:
                codes = table.codes_on(f.as_of)
                hit = f.memo[key] = any(c.offense in codes for c in f.pending_charges)
            return hit

        return look_up

    def render(self) -> str:
        return f"a pending charge listed in {self.table.name}"

    def failures(self, facts: Facts) -> list[str]:
        return [f"{self.render()} (none of {len(facts.pending_charges)} charges qualifies)"]

    def fact(self) -> str:
        return PENDING_CHARGES

    def hypothesis(self) -> dict[str, object]:
        return {"offense_in": self.table.name}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "not given"
    return value.isoformat() if isinstance(value, date) else str(value)


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
        arg.mapping(required=("table",), optional=("within_years",))
        years = arg.child("within_years")
        within = None if years.value is None else years.integer()
        if within is not None and within < 1:
            years.fail("within_years must be at least 1")
        return ConvictionIn(_table(arg.child("table"), tables), within)
    if operation == "pending_charge":
        arg.mapping(required=("table",))
        return ChargePending(_table(arg.child("table"), tables))
    known = "all, any, not, fact, eq, in, before, on_or_after, conviction, pending_charge"
    node.child(operation).fail(f"unknown operation {operation!r} (known: {known})")


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
            item.fail(
                f"{value!r} is not a value of {path} (use one of {', '.join(map(str, spec.values))})"
            )
    return Compare(path, operation, values)


def _table(node: Node, tables: Mapping[str, Table]) -> Table:
    name = node.text()
    if name not in tables:
        known = ", ".join(sorted(tables)) or "none defined"
        node.fail(f"unknown table {name!r} (tables: {known})")
    return tables[name]

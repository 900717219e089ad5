"""The nodes a rule's ``when`` is made of (see :mod:`lexdesk.domain.rules.syntax` for the
YAML), compiled once into closures over :class:`Facts`, and able to say which of their parts
failed. There is no embedded code: a condition is a tree of these classes and nothing else.
The conditions on convictions and pending charges are in :mod:`.records`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from operator import attrgetter

from lexdesk.domain.rules.facts import Facts
from lexdesk.domain.rules.request import ISSUERS, PERSON_FLAGS
from lexdesk.domain.vocabulary import Warrant

Test = Callable[[Facts], bool]
CONVICTIONS = "person.convictions"
PENDING_CHARGES = "person.pending_charges"
#: "The information this action asks for is already public": read per action.
PUBLIC = "information.public"


@dataclass(frozen=True)
class FactSpec:
    attribute: str
    kind: str  # "choice" (one of values), "flag" (true/false) or "date"
    values: tuple[object, ...] = ()


FACTS: dict[str, FactSpec] = {
    "instrument.warrant": FactSpec("warrant", "choice", tuple(w.value for w in Warrant)),
    "instrument.issuer": FactSpec("issuer", "choice", ISSUERS),
    **{f"person.{flag}": FactSpec(flag, "flag", (True, False)) for flag in PERSON_FLAGS},
    PUBLIC: FactSpec("field_public", "flag", (True, False)),
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

    @cached_property
    def holds(self) -> Test:
        """The compiled test, built once per node (used when explaining failures)."""
        return self.compile()

    def render(self) -> str:
        raise NotImplementedError

    @cached_property
    def rendered(self) -> str:
        """``render()``, built once per node: failures repeat it for every request."""
        return self.render()

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
        return [m for item in self.items if not item.holds(facts) for m in item.failures(facts)]

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
        return [f"{self.rendered}: but {self.item.rendered} holds"]

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
        return [f"{self.rendered} (was {_show(seen)})"]

    def fact(self) -> str:
        return self.path


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "not given"
    return value.isoformat() if isinstance(value, date) else str(value)

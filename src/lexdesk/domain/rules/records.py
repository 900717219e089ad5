"""Conditions on a person's record: a conviction, or a pending charge, that meets a filter.

    conviction: {table: T, not_in: X, level: felony, class: wobbler, state_prison: true,
                 within_years: 5, counted_from: judgment}
    pending_charge: {table: T, level: misdemeanor, probable_cause: true}

Every key is optional (``conviction: {}`` is any conviction). A youthful-offender adjudication
is never a conviction. The offense's class and punishability come from the pack's offense
table (``offenses``), never from the request; the judgment's level from the request, or from
the class when the class settles it (a wobbler's does not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from lexdesk.domain.rules.conditions import (
    CONVICTIONS,
    PENDING_CHARGES,
    Condition,
    Test,
    years_before,
)
from lexdesk.domain.rules.facts import Facts
from lexdesk.domain.rules.request import Charge, Conviction
from lexdesk.domain.rules.tables import Table, TableEntry

#: A hypothetical record with no table behind it (``conviction: {level: felony}``).
ANY_OFFENSE = "(ANY OFFENSE)"


@dataclass(frozen=True)
class Miss:
    """Why one conviction or charge does not meet a condition: ``kind`` names the test it
    failed, ``table`` the list it turned on, ``value`` what was found (a level, a class)."""

    kind: str
    code: str
    table: Table | None = None
    value: object = None

    def text(self) -> str:
        """The reason as the evaluation's ``failed`` conditions give it."""
        return _MISS_TEXTS[self.kind](self.code, self.value, self.table)


def _offenses(table: Table | None) -> str:
    return table.name if table is not None else "none in this pack"


def _name(table: Table | None) -> str:
    return table.name if table is not None else ""


#: One wording per kind of miss, built only for the miss at hand.
_MISS_TEXTS: dict[str, Callable[[str, object, Table | None], str]] = {
    "unlisted": lambda code, value, table: f"{code} is not listed in {_name(table)}",
    "level_only": lambda code, value, table: f"{code} counts only at the {value} level",
    "excluded": lambda code, value, table: f"{code} is listed in {_name(table)}",
    "no_offense_entry": lambda code, value, table: (
        f"{code} is not in the offense table ({_offenses(table)})"
    ),
    "class": lambda code, value, table: f"{code} is a {value or 'offense of unknown class'}",
    "prison": lambda code, value, table: (
        f"{code} is {'not ' if value else ''}punishable in state prison"
    ),
    "level_unknown": lambda code, value, table: f"the level of the judgment on {code} is not given",
    "level": lambda code, value, table: f"{code} was at the {value} level",
    "youthful": lambda code, value, table: (
        f"{code} was a youthful-offender adjudication, not a conviction"
    ),
    "later": lambda code, value, table: f"{code} was entered after {value}",
    "too_old": lambda code, value, table: f"{code} is more than {value} years old",
    "no_probable_cause": lambda code, value, table: f"no magistrate found probable cause on {code}",
}


@dataclass(frozen=True)
class RecordFilter:
    """What a conviction or charge must be; shared by both conditions."""

    table: Table | None
    not_in: Table | None
    level: str | None
    klass: str | None
    state_prison: bool | None
    offenses: Table | None  # the pack's offense table, for class and punishability
    #: Answers remembered per (code, level, the tables' spans of days): an offense meets a
    #: filter alike on every day on which none of its tables changes.
    _misses: dict[tuple[object, ...], Miss | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    _witnesses: dict[tuple[int, ...], tuple[str, str | None] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def _tables(self) -> tuple[Table, ...]:
        return tuple(t for t in (self.table, self.not_in, self.offenses) if t is not None)

    def _spans(self, on: date) -> tuple[int, ...]:
        return tuple([t.span(on) for t in self._tables])

    def describe(self, words: bool = False) -> str:
        """The filter as a phrase: table names for reasons, table labels in ``words``."""
        parts = []
        if self.level:
            parts.append(f"at the {self.level} level")
        if self.klass:
            parts.append(f"for an offense of class {self.klass}")
        if self.state_prison is not None:
            parts.append(
                "punishable in the state prison"
                if self.state_prison
                else "not punishable in the state prison"
            )
        if self.table:
            parts.append(f"listed in {self.table.label if words else self.table.name}")
        if self.not_in:
            parts.append(f"not listed in {self.not_in.label if words else self.not_in.name}")
        return " ".join(parts)

    def why_not(self, code: str, level: str | None, on: date) -> str | None:
        """None when the offense meets the filter on a date, else the reason it does not."""
        found = self.miss(code, level, on)
        return None if found is None else found.text()

    def miss(self, code: str, level: str | None, on: date) -> Miss | None:
        """None when the offense meets the filter on a date, else why not, as data."""
        tables = self._tables
        if len(tables) == 1:
            key: tuple[object, ...] = (code, level, tables[0].span(on))
        else:
            key = (code, level, *[t.span(on) for t in tables])
        try:
            return self._misses[key]
        except KeyError:
            pass
        if len(self._misses) > 65536:
            self._misses.clear()
        found = self._misses[key] = self._miss(code, level, on)
        return found

    def _miss(self, code: str, level: str | None, on: date) -> Miss | None:
        wanted_level = self.level
        if self.table is not None:
            listed = self.table.listed(code, on)
            if listed is None:
                return Miss("unlisted", code, self.table)
            _, required = listed
            if required is not None:
                if wanted_level is not None and wanted_level != required:
                    return Miss("level_only", code, self.table, required)
                wanted_level = required
        if self.not_in is not None and self.not_in.listed(code, on) is not None:
            return Miss("excluded", code, self.not_in)
        described = self.describe_offense(code, on)
        if self.klass is not None or self.state_prison is not None:
            if described is None:
                return Miss("no_offense_entry", code, self.offenses)
            if self.klass is not None and described.klass != self.klass:
                return Miss("class", code, None, described.klass)
            if self.state_prison is not None and described.state_prison != self.state_prison:
                return Miss("prison", code, None, self.state_prison)
        if wanted_level is not None:
            actual = level or _level_from(described)
            if actual is None:
                return Miss("level_unknown", code)
            if actual != wanted_level:
                return Miss("level", code, None, actual)
        return None

    def describe_offense(self, code: str, on: date) -> TableEntry | None:
        """What the offense is (class, punishability): the offense table's entry, else the
        entry of the condition's own table; a section's entry covers its subdivisions."""
        for table in (self.offenses, self.table):
            listed = table.listed(code, on) if table is not None else None
            if listed is not None:
                return listed[0]
        return None

    def witness_code(self, on: date) -> tuple[str, str | None] | None:
        """An offense (and level) that meets the filter on a date, for ``missing``."""
        key = self._spans(on)
        if key not in self._witnesses:
            self._witnesses[key] = self._witness_code(on)
        return self._witnesses[key]

    def _witness_code(self, on: date) -> tuple[str, str | None] | None:
        candidates = self.table or self.offenses
        if candidates is None:
            return (ANY_OFFENSE, self.level) if self.klass is None else None
        for entry in candidates.entries:
            described = self.describe_offense(entry.offense, on)
            level = self.level or entry.requires_level or _level_from(described)
            if self.why_not(entry.offense, level, on) is None:
                return entry.offense, level
        return None

    def hypothesis(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.table is not None:
            out["offense_in"] = self.table.name
        if self.not_in is not None:
            out["not_in"] = self.not_in.name
        if self.level is not None:
            out["level"] = self.level
        if self.klass is not None:
            out["class"] = self.klass
        if self.state_prison is not None:
            out["state_prison"] = self.state_prison
        return out


def _level_from(entry: TableEntry | None) -> str | None:
    if entry is None or entry.klass not in ("felony", "misdemeanor"):
        return None
    return entry.klass


@dataclass(frozen=True)
class ConvictionIn(Condition):
    """A conviction meeting ``filter``; with ``within_years``, one whose window starts no more
    than that many years before the arrest (the evaluation date when no arrest date is
    given). The window starts at the release from the sentence, or at the judgment when
    ``counted_from`` says so."""

    filter: RecordFilter
    within_years: int | None
    counted_from: str = "release"

    @property
    def key(self) -> tuple[object, ...]:
        return ("conviction", id(self))

    def compile(self) -> Test:
        key = self.key

        def look_up(f: Facts) -> bool:
            hit = f.memo.get(key)
            if hit is None:
                parent, added = f.parent, f.added
                if parent is not None:
                    # The parent's convictions plus at most one: the look-up on the parent
                    # (remembered there, shared by every hypothesis) and on the one added.
                    hit = look_up(parent) or (
                        isinstance(added, Conviction) and self.miss(added, f) is None
                    )
                else:
                    hit = any(self.miss(c, f) is None for c in f.convictions)
                f.memo[key] = hit
            return hit

        return look_up

    def why_not(self, conviction: Conviction, facts: Facts) -> str | None:
        found = self.miss(conviction, facts)
        return None if found is None else found.text()

    def miss(self, conviction: Conviction, facts: Facts) -> Miss | None:
        """None when the conviction meets the condition, else why not, as data."""
        if conviction.youthful_offender:
            return Miss("youthful", conviction.offense)
        if conviction.date > facts.as_of:
            return Miss("later", conviction.offense, None, facts.as_of.isoformat())
        found = self.filter.miss(conviction.offense, conviction.level, facts.as_of)
        if found is None and self.within_years is not None:
            start = conviction.date if self.counted_from == "judgment" else conviction.window_start
            if start < years_before(facts.anchor, self.within_years):
                found = Miss("too_old", conviction.offense, None, self.within_years)
        return found

    def render(self, words: bool = False) -> str:
        span = (
            "at any time"
            if self.within_years is None
            else (f"within {self.within_years} years before the arrest")
        )
        described = self.filter.describe(words)
        return f"a conviction{' ' + described if described else ''} {span}"

    def failures(self, facts: Facts) -> list[str]:
        reasons = [r for c in facts.convictions if (r := self.why_not(c, facts))]
        seen = "; ".join(reasons[:3]) if reasons else "no conviction given"
        return [f"{self.rendered} ({seen})"]

    def fact(self) -> str:
        return CONVICTIONS

    def hypothesis(self) -> dict[str, object]:
        out = self.filter.hypothesis()
        if self.within_years is not None:
            out["within_years"] = self.within_years
        return out

    def witness(self, facts: Facts) -> Conviction | None:
        found = self.filter.witness_code(facts.as_of)
        if found is None:
            return None
        code, level = found
        # A condition with no window is met by the oldest of convictions: a witness that old
        # changes no rule that asks for a recent one, so ``missing`` does not claim it would.
        anchor = facts.anchor
        day = anchor if self.within_years is not None else years_before(anchor, 100)
        return Conviction(code, day, level=level)

    def matched(self, facts: Facts) -> list[tuple[str, TableEntry | None]]:
        """The person's convictions that meet it, each with its table entry."""
        table = self.filter.table
        return [
            (c.offense, _entry(table, c.offense, facts.as_of))
            for c in facts.convictions
            if self.miss(c, facts) is None
        ]

    def unmatched_codes(self, facts: Facts) -> list[str]:
        table = self.filter.table
        return [
            c.offense
            for c in facts.convictions
            if table is not None and table.listed(c.offense, facts.as_of) is None
        ]


@dataclass(frozen=True)
class ChargePending(Condition):
    """A pending charge meeting ``filter``; with ``probable_cause``, one on which a
    magistrate found probable cause."""

    filter: RecordFilter
    probable_cause: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        return ("pending_charge", id(self))

    def compile(self) -> Test:
        key = self.key

        def look_up(f: Facts) -> bool:
            hit = f.memo.get(key)
            if hit is None:
                parent, added = f.parent, f.added
                if parent is not None:
                    hit = look_up(parent) or (
                        isinstance(added, Charge) and self.miss(added, f) is None
                    )
                else:
                    hit = any(self.miss(c, f) is None for c in f.pending_charges)
                f.memo[key] = hit
            return hit

        return look_up

    def why_not(self, charge: Charge, facts: Facts) -> str | None:
        found = self.miss(charge, facts)
        return None if found is None else found.text()

    def miss(self, charge: Charge, facts: Facts) -> Miss | None:
        """None when the charge meets the condition, else why not, as data."""
        if self.probable_cause and not charge.probable_cause_found:
            return Miss("no_probable_cause", charge.offense)
        return self.filter.miss(charge.offense, charge.level, facts.as_of)

    def render(self, words: bool = False) -> str:
        described = self.filter.describe(words)
        found = " on which a magistrate found probable cause" if self.probable_cause else ""
        return f"a pending charge{' ' + described if described else ''}{found}"

    def failures(self, facts: Facts) -> list[str]:
        reasons = [r for c in facts.pending_charges if (r := self.why_not(c, facts))]
        seen = "; ".join(reasons[:3]) if reasons else "no pending charge given"
        return [f"{self.rendered} ({seen})"]

    def fact(self) -> str:
        return PENDING_CHARGES

    def hypothesis(self) -> dict[str, object]:
        out = self.filter.hypothesis()
        if self.probable_cause:
            out["probable_cause_found"] = True
        return out

    def witness(self, facts: Facts) -> Charge | None:
        found = self.filter.witness_code(facts.as_of)
        if found is None:
            return None
        code, level = found
        return Charge(code, facts.as_of, level=level, probable_cause_found=self.probable_cause)

    def matched(self, facts: Facts) -> list[tuple[str, TableEntry | None]]:
        table = self.filter.table
        return [
            (c.offense, _entry(table, c.offense, facts.as_of))
            for c in facts.pending_charges
            if self.miss(c, facts) is None
        ]

    def unmatched_codes(self, facts: Facts) -> list[str]:
        table = self.filter.table
        return [
            c.offense
            for c in facts.pending_charges
            if table is not None and table.listed(c.offense, facts.as_of) is None
        ]


def _entry(table: Table | None, code: str, on: date) -> TableEntry | None:
    if table is None:
        return None
    listed = table.listed(code, on)
    return listed[0] if listed else None


RecordCondition = ConvictionIn | ChargePending

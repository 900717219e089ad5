"""Named tables: dated data with a citation per entry, such as the offenses that count as a
"violent or serious crime". An entry is in force from its ``effective_from`` to its
``effective_to``, so a later amendment adds or ends entries without rewriting the list.

An entry may say what the offense is (``class``: felony, misdemeanor, wobbler or violation;
``state_prison``: punishable by imprisonment in the state prison) and that it counts only
when the judgment was at a given level (``requires_level``: "but only for a conviction that
is a felony"). A pack's table named ``offenses`` is its offense table: conditions on an
offense's class or punishability read it. A table may also count inchoate forms of its
entries (``inchoate``: an attempt written ``NY PL 110/160.15``) at a required level."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from lexdesk.domain.rules.evidence import Verification, parse_verification
from lexdesk.domain.rules.request import LEVELS, normalise_offense
from lexdesk.domain.rules.source import Node

__all__ = ["OFFENSE_TABLE", "Table", "TableEntry", "Verification", "in_force", "parse_table"]

OFFENSE_TABLE = "offenses"
CLASSES = ("felony", "misdemeanor", "wobbler", "violation")
#: "NY PL 110/160.15": the law's prefix, the inchoate section, then the offense's section.
_INCHOATE = re.compile(r"^(?P<law>\D*?)(?P<section>\d[\d.]*)/(?P<rest>.+)$")


def in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on <= end)


@dataclass(frozen=True)
class TableEntry:
    offense: str
    name: str
    citation: str
    effective_from: date
    effective_to: date | None
    verification: Verification
    klass: str | None = None
    state_prison: bool | None = None
    requires_level: str | None = None


@dataclass(frozen=True)
class Inchoate:
    """Attempts, conspiracies and the like count (when the judgment was at ``level``, if one
    is given)."""

    sections: tuple[str, ...]
    level: str | None
    citation: str

    def base(self, code: str) -> str | None:
        match = _INCHOATE.match(code)
        if match is None:
            return None
        section = match["section"]
        if not any(section == s or section.startswith(s + ".") for s in self.sections):
            return None
        return match["law"] + match["rest"]


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    citation: str
    url: str
    entries: tuple[TableEntry, ...]
    inchoate: Inchoate | None = None
    _codes: dict[date, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    #: Built once: the entry of each code (a code is listed once), and the days on which an
    #: entry starts or stops being in force. Between two of these days every look-up answers
    #: alike, so ``listed`` is remembered per (code, span) and not per day.
    _by_code: dict[str, TableEntry] = field(init=False, compare=False, repr=False)
    _changes: tuple[date, ...] = field(init=False, compare=False, repr=False)
    _listed: dict[tuple[str, int], tuple[TableEntry, str | None] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        by_code: dict[str, TableEntry] = {}
        changes: set[date] = set()
        for e in self.entries:
            by_code.setdefault(e.offense, e)
            changes.add(e.effective_from)
            if e.effective_to is not None:
                changes.add(e.effective_to + timedelta(days=1))
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_changes", tuple(sorted(changes)))

    def span(self, on: date) -> int:
        """Which stretch of days ``on`` falls in: the listed entries change only between
        stretches."""
        return bisect_right(self._changes, on)

    def codes_on(self, on: date) -> frozenset[str]:
        """The offense codes listed on a date (cached: the same dates recur)."""
        codes = self._codes.get(on)
        if codes is None:
            if len(self._codes) > 4096:
                self._codes.clear()
            codes = frozenset(
                e.offense for e in self.entries if in_force(e.effective_from, e.effective_to, on)
            )
            self._codes[on] = codes
        return codes

    def entry(self, offense: str) -> TableEntry | None:
        return self._by_code.get(offense)

    def listed(self, code: str, on: date) -> tuple[TableEntry, str | None] | None:
        """The entry a code falls under on a date, and the level the judgment must have had
        (an entry's own requirement, or the inchoate form's); None when it is not listed.
        A listed section covers its subdivisions: ``CA PC 245(A)(1)`` falls under
        ``CA PC 245``, while ``NY PL 265.02(1)`` does not fall under ``NY PL 265.02(2)``."""
        key = (code, bisect_right(self._changes, on))
        try:
            return self._listed[key]
        except KeyError:
            pass
        if len(self._listed) > 65536:
            self._listed.clear()
        found = self._listed[key] = self._look_up(code, on)
        return found

    def _look_up(self, code: str, on: date) -> tuple[TableEntry, str | None] | None:
        entry = self._covering(code, on)
        if entry is not None:
            return entry, entry.requires_level
        base = self.inchoate.base(code) if self.inchoate is not None else None
        entry = self._covering(base, on) if base is not None else None
        if entry is not None and self.inchoate is not None:
            return entry, self.inchoate.level or entry.requires_level
        return None

    def _covering(self, code: str, on: date) -> TableEntry | None:
        while True:
            entry = self._by_code.get(code)
            if entry is not None and in_force(entry.effective_from, entry.effective_to, on):
                return entry
            if not code.endswith(")") or "(" not in code:
                return None
            code = code[: code.rindex("(")]

    @cached_property
    def confirmed(self) -> bool:
        return all(e.verification.status == "verified" for e in self.entries)


def parse_table(name: str, node: Node) -> Table:
    node.mapping(required=("label", "citation", "url", "entries"), optional=("inchoate",))
    entries = tuple(_parse_entry(item) for item in node.child("entries").entries())
    if not entries:
        node.child("entries").fail("a table needs at least one entry")
    seen: set[str] = set()
    for item, entry in zip(node.child("entries").entries(), entries, strict=True):
        if entry.offense in seen:
            item.child("offense").fail(f"{entry.offense} is listed twice")
        seen.add(entry.offense)
    return Table(
        name=name,
        label=node.child("label").text(),
        citation=node.child("citation").text(),
        url=node.child("url").text(),
        entries=entries,
        inchoate=_inchoate(node.child("inchoate")) if node.has("inchoate") else None,
    )


def _inchoate(node: Node) -> Inchoate:
    node.mapping(required=("sections", "citation"), optional=("level",))
    return Inchoate(
        sections=node.child("sections").text_list(),
        level=_level(node.child("level")) if node.has("level") else None,
        citation=node.child("citation").text(),
    )


def _level(node: Node) -> str:
    level = node.text()
    if level not in LEVELS:
        node.fail(f"unknown level {level!r}: use {', '.join(LEVELS)}")
    return level


def _parse_entry(node: Node) -> TableEntry:
    node.mapping(
        required=("offense", "name", "citation", "effective_from", "verification"),
        optional=("effective_to", "class", "state_prison", "requires_level"),
    )
    start = node.child("effective_from").day()
    end = node.child("effective_to").day_or_none()
    if end is not None and end < start:
        node.child("effective_to").fail("ends before it starts")
    klass = node.child("class").text() if node.has("class") else None
    if klass is not None and klass not in CLASSES:
        node.child("class").fail(f"unknown class {klass!r}: use {', '.join(CLASSES)}")
    prison = node.child("state_prison")
    if prison.value is not None and not isinstance(prison.value, bool):
        prison.fail("state_prison must be true or false")
    return TableEntry(
        offense=normalise_offense(node.child("offense").text()),
        name=node.child("name").text(),
        citation=node.child("citation").text(),
        effective_from=start,
        effective_to=end,
        verification=parse_verification(node.child("verification")),
        klass=klass,
        state_prison=prison.value if isinstance(prison.value, bool) else None,
        requires_level=_level(node.child("requires_level")) if node.has("requires_level") else None,
    )

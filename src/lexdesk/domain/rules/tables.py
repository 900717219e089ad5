"""Named tables: dated data with a citation per entry, such as the offenses that count as a
"violent or serious crime". An entry is in force from its ``effective_from`` to its
``effective_to``, so a later amendment adds or ends entries without rewriting the list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lexdesk.domain.rules.request import normalise_offense
from lexdesk.domain.rules.source import Node

VERIFICATION_STATUSES = ("verified", "unconfirmed")


@dataclass(frozen=True)
class Verification:
    """Whether the encoded text was read in the law itself (or a faithful copy), and where."""

    status: str
    source: str

    def to_json(self) -> dict[str, str]:
        return {"status": self.status, "source": self.source}


def parse_verification(node: Node) -> Verification:
    node.mapping(required=("status", "source"))
    status = node.child("status").text()
    if status not in VERIFICATION_STATUSES:
        node.child("status").fail(f"unknown status {status!r}: use verified or unconfirmed")
    return Verification(status, node.child("source").text())


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


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    citation: str
    url: str
    entries: tuple[TableEntry, ...]
    _codes: dict[date, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

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
        return next((e for e in self.entries if e.offense == offense), None)


def parse_table(name: str, node: Node) -> Table:
    node.mapping(required=("label", "citation", "url", "entries"))
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
    )


def _parse_entry(node: Node) -> TableEntry:
    node.mapping(
        required=("offense", "name", "citation", "effective_from", "verification"),
        optional=("effective_to",),
    )
    start = node.child("effective_from").day()
    end = node.child("effective_to").day_or_none()
    if end is not None and end < start:
        node.child("effective_to").fail("ends before it starts")
    return TableEntry(
        offense=normalise_offense(node.child("offense").text()),
        name=node.child("name").text(),
        citation=node.child("citation").text(),
        effective_from=start,
        effective_to=end,
        verification=parse_verification(node.child("verification")),
    )

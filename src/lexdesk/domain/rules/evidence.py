"""What a pack says it read, and how sure it is: the sources of a version, each rule's
verification, and the hold limit the version states.

A rule (or duty, table entry or hold limit) may be marked ``verified`` only when the words it
encodes were transcribed from a primary text whose provenance is recorded: ``read_at``, the
address of one of the version's sources of status ``text``, and ``read_on``, the day it was
read. Anything less is ``unconfirmed``; a load error says so rather than letting a summary
pass for the law."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lexdesk.domain.rules.source import Node

VERIFICATION_STATUSES = ("verified", "unconfirmed")
SOURCE_STATUSES = ("text", "secondary", "unconfirmed")
COUNTINGS = ("clock_hours", "business_hours")


@dataclass(frozen=True)
class Verification:
    """Whether the encoded text was read in the law itself (or a faithful copy), and where."""

    status: str
    source: str
    read_at: str = ""
    read_on: date | None = None

    def to_json(self) -> dict[str, str]:
        out = {"status": self.status, "source": self.source}
        if self.read_at:
            out["read_at"] = self.read_at
        if self.read_on is not None:
            out["read_on"] = self.read_on.isoformat()
        return out


def parse_verification(node: Node) -> Verification:
    node.mapping(required=("status", "source"), optional=("read_at", "read_on"))
    status = node.child("status").text()
    if status not in VERIFICATION_STATUSES:
        node.child("status").fail(f"unknown status {status!r}: use verified or unconfirmed")
    read_at = node.child("read_at").text() if node.has("read_at") else ""
    read_on = node.child("read_on").day() if node.has("read_on") else None
    if status == "verified" and (not read_at or read_on is None):
        node.fail(
            "a verified text needs its provenance: read_at (the address of the primary "
            "text, one of the version's sources of status text) and read_on (the day it was "
            "read); otherwise mark it unconfirmed"
        )
    return Verification(status, node.child("source").text(), read_at, read_on)


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    status: str


def parse_source(node: Node) -> Source:
    node.mapping(required=("title", "url", "status"))
    status = node.child("status").text()
    if status not in SOURCE_STATUSES:
        node.child("status").fail(f"unknown status {status!r}: use text, secondary or unconfirmed")
    return Source(node.child("title").text(), node.child("url").text(), status)


def check_provenance(node: Node, verification: Verification, sources: tuple[Source, ...]) -> None:
    """A verified text must have been read in one of the version's primary sources."""
    if verification.status != "verified":
        return
    primary = {s.url for s in sources if s.status == "text"}
    if verification.read_at not in primary:
        node.child("read_at").fail(
            f"{verification.read_at!r} is not the address of a source of status text in "
            "this version's sources: list the primary text read, or mark it unconfirmed"
        )


@dataclass(frozen=True)
class HoldLimitSpec:
    """How long a hold may last past the time the person would otherwise be released."""

    hours: int
    counting: str  # clock_hours | business_hours (Saturdays, Sundays and holidays excluded)
    citation: str
    url: str
    text: str
    effective_from: date
    effective_to: date | None
    verification: Verification
    note: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def parse_hold_limit(node: Node, start: date, end: date | None) -> HoldLimitSpec:
    node.mapping(
        required=("hours", "counting", "citation", "url", "text", "verification"),
        optional=("effective_from", "effective_to", "note"),
    )
    hours = node.child("hours").integer()
    if hours < 0:
        node.child("hours").fail("hours cannot be negative")
    counting = node.child("counting").text()
    if counting not in COUNTINGS:
        node.child("counting").fail(f"unknown counting {counting!r}: use {', '.join(COUNTINGS)}")
    first = node.child("effective_from").day() if node.has("effective_from") else start
    last = node.child("effective_to").day_or_none() if node.has("effective_to") else end
    if first < start or (end is not None and (last is None or last > end)):
        node.fail("a hold limit's dates must lie within its version's")
    if last is not None and last < first:
        node.child("effective_to").fail("ends before it starts")
    return HoldLimitSpec(
        hours=hours,
        counting=counting,
        citation=node.child("citation").text(),
        url=node.child("url").text(),
        text=node.child("text").text(),
        effective_from=first,
        effective_to=last,
        verification=parse_verification(node.child("verification")),
        note=node.child("note").text_or(""),
    )


#: ``hold_limit: default``: no law of this jurisdiction sets one; the layers' applies.
DEFAULT_HOLD_LIMIT = "default"


def parse_hold_limits(node: Node, start: date, end: date | None) -> tuple[HoldLimitSpec, ...]:
    """``default``, one limit, or a list of dated limits that do not overlap."""
    if node.value == DEFAULT_HOLD_LIMIT:
        return ()
    items = node.entries() if isinstance(node.value, list) else [node]
    limits = tuple(parse_hold_limit(item, start, end) for item in items)
    for item, limit in zip(items[1:], limits[1:], strict=True):
        before = limits[limits.index(limit) - 1]
        if before.effective_to is None or before.effective_to >= limit.effective_from:
            item.fail("hold limits must follow each other in time without overlapping")
    return limits


def check_version_provenance(root: Node, sources: tuple[Source, ...]) -> None:
    """Every verified text of the version (rule, duty, table entry, hold limit) must name a
    primary source of the version: found wherever a ``verification`` key appears."""
    for node in _verification_nodes(root):
        check_provenance(node, parse_verification(node), sources)


def _verification_nodes(node: Node) -> list[Node]:
    found: list[Node] = []
    if isinstance(node.value, dict):
        for key, child in node.items():
            found += [child] if key == "verification" else _verification_nodes(child)
    elif isinstance(node.value, list):
        for child in node.entries():
            found += _verification_nodes(child)
    return found

"""Fuzz target 6: the audit verifiers, ``domain.audit.verify_chain`` and
``services.audit.verify_trail``. Each run writes a chain of one to four entries with fields drawn
from the fuzz bytes (any text, nested details, the three outcomes), then checks it untouched and
tampered with one way:

* a byte of the chain's export (one JSON object a line, as the table's columns hold the
  fields) is changed; an export that no longer reads (not UTF-8, not JSON, a field of the
  wrong type) is refused before anything is verified, every other one must fail verification
  at the entry whose line changed;
* an entry is deleted, duplicated or moved: the walk fails where the order first differs;
* the tail is cut off: the chain alone cannot tell (docs/adr/0003), the checkpoint made of the
  whole chain must;
* an entry's field is changed and every hash from it on recomputed (a wholesale rewrite): the
  chain is consistent again, the checkpoint made before must not match.

An untouched chain always verifies: whole, against its checkpoint, after a purged prefix with
its anchor (``verify_chain(start=)``), and through ``verify_trail`` with the ``audit.purge``
entry that names the anchor; without that entry, ``verify_trail`` refuses the anchor. No
verifier may raise: a tampered chain is an answer (``ok=False``), never an exception.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import atheris
from _support import WORDS, run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.domain.audit import (
        Anchor,
        AuditEntry,
        VerifyResult,
        canonical_encoding,
        chain_next,
        format_time,
        make_checkpoint,
        verify_chain,
    )
    from lexdesk.services.audit import PURGE, verify_trail

START = datetime(2020, 1, 17, 15, 0, tzinfo=UTC)
FIELDS = tuple(field.name for field in dataclasses.fields(AuditEntry))
TEXT = tuple(name for name in FIELDS if name not in ("seq", "at", "detail"))
AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{2}Z")
OUTCOMES = ("success", "failure", "denied")
NAMES = [word for word in WORDS if word and "\udcff" not in word]


class Trail:
    """The part of the ``AuditLog`` port the verifier reads: entries by seq, and the anchor."""

    def __init__(self, entries: list[AuditEntry], anchor: Anchor | None = None) -> None:
        self._entries, self._anchor = entries, anchor

    def anchor(self) -> Anchor | None:
        return self._anchor

    def entries(self, after: int = 0) -> Iterator[AuditEntry]:
        # As the table answers: the rows after a seq, in the order of their seq.
        return iter(sorted((e for e in self._entries if e.seq > after), key=lambda e: e.seq))


def text(fdp: atheris.FuzzedDataProvider) -> str:
    if fdp.ConsumeBool():
        return fdp.PickValueInList(NAMES)
    return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 12))


def detail_value(fdp: atheris.FuzzedDataProvider, depth: int = 0) -> Any:
    """What a detail may hold: strings, integers, booleans, null, lists and objects."""
    choice = fdp.ConsumeIntInRange(0, 6 if depth < 3 else 4)
    if choice == 0:
        return None
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeIntInRange(-(2**70), 2**70)
    if choice in (3, 4):
        return text(fdp)
    if choice == 5:
        return [detail_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    return {text(fdp): detail_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))}


def write_chain(fdp: atheris.FuzzedDataProvider) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    at = START
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        at += timedelta(milliseconds=fdp.ConsumeIntInRange(0, 10**8))
        entries.append(
            chain_next(
                entries[-1] if entries else None,
                at=at,
                actor=text(fdp) or "system",
                agency=text(fdp),
                action=text(fdp) or "case.read",
                object_type=text(fdp),
                object_id=text(fdp),
                outcome=fdp.PickValueInList(list(OUTCOMES)),
                source=text(fdp),
                detail={text(fdp): detail_value(fdp) for _ in range(fdp.ConsumeIntInRange(0, 3))},
                component=text(fdp) if fdp.ConsumeBool() else "",
                client=text(fdp) if fdp.ConsumeBool() else "",
                receiving_agency=text(fdp) if fdp.ConsumeBool() else "",
            )
        )
    return entries


def export(entries: list[AuditEntry]) -> bytes:
    rows = [{**dataclasses.asdict(e), "at": format_time(e.at)} for e in entries]
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    return "\n".join(lines).encode("utf-8")


def read_back(data: bytes) -> list[AuditEntry] | None:
    """The entries of an export, or None where it no longer reads as the columns hold them."""
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    entries = []
    for line in lines:
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return None
        if not isinstance(row, dict) or tuple(row) != FIELDS or type(row["seq"]) is not int:
            return None
        if not isinstance(row["detail"], dict) or any(type(row[n]) is not str for n in TEXT):
            return None
        if not AT.fullmatch(row["at"]):
            return None
        try:
            at = datetime.fromisoformat(row["at"].replace("Z", "+00:00"))
        except ValueError:
            return None
        entries.append(AuditEntry(**{**row, "at": at}))
    return entries


def same(a: AuditEntry, b: AuditEntry) -> bool:
    """Whether two entries record the same: the same encoding (what the hash covers) and hash."""
    try:
        return (canonical_encoding(a), a.hash) == (canonical_encoding(b), b.hash)
    except (TypeError, ValueError):  # a value read back that cannot be encoded is a change
        return False


def refused(result: VerifyResult, first_bad: int | None = None) -> None:
    assert isinstance(result, VerifyResult) and not result.ok and result.reason, result
    if first_bad is not None:
        assert result.first_bad_seq == first_bad, (result, first_bad)


def check_untouched(entries: list[AuditEntry], fdp: atheris.FuzzedDataProvider) -> None:
    n = len(entries)
    whole = verify_chain(entries)
    assert whole.ok and whole.checked == n and whole.last == Anchor(n, entries[-1].hash), whole
    assert verify_chain(entries, make_checkpoint(entries, at=START)).ok
    k = fdp.ConsumeIntInRange(0, n - 1)
    if not k:
        assert verify_trail(Trail(entries)).ok
    else:  # a purged prefix, the anchor its last entry
        anchor, kept = Anchor(k, entries[k - 1].hash), entries[k:]
        assert verify_chain(kept, start=anchor).ok, k
        assert verify_chain(kept, make_checkpoint(kept, at=START), anchor).ok, k
        detail = {"through_seq": k, "through_hash": anchor.hash}
        purge = chain_next(
            entries[-1], at=entries[-1].at, actor="system", agency="", action=PURGE,
            object_type="audit", object_id=str(k), outcome="success", source="cli", detail=detail,
        )  # fmt: skip
        assert verify_trail(Trail([*kept, purge], anchor)).ok, k
        refused(verify_trail(Trail(kept, anchor)))  # an anchor nothing in the chain names


def change_a_byte(entries: list[AuditEntry], fdp: atheris.FuzzedDataProvider) -> None:
    data = bytearray(export(entries))
    at = fdp.ConsumeIntInRange(0, len(data) - 1)
    data[at] ^= fdp.ConsumeIntInRange(1, 255)
    changed = read_back(bytes(data))
    if changed is None:
        return  # the export no longer reads: refused before any verification
    line = data[:at].count(b"\n")
    assert len(changed) == len(entries), (at, line)
    assert [same(a, b) for a, b in zip(entries, changed, strict=True)] == [
        i != line for i in range(len(entries))
    ], (at, line, changed[line])
    refused(verify_chain(changed), line + 1)
    trail = Trail(changed)
    walked = list(trail.entries())
    if len(walked) < len(entries) and all(map(same, walked, entries)):
        # The changed seq is no longer after the anchor (0 or less), so the table does not
        # answer that entry: the same as a cut tail, which only a checkpoint can tell.
        refused(verify_trail(trail, make_checkpoint(entries, at=START)))
    else:
        refused(verify_trail(trail))


def reorder(entries: list[AuditEntry], fdp: atheris.FuzzedDataProvider) -> None:
    i = fdp.ConsumeIntInRange(0, len(entries) - 1)
    j = fdp.ConsumeIntInRange(0, len(entries) - 1)
    how = fdp.ConsumeIntInRange(0, 2)
    changed = list(entries)
    if how == 0:
        del changed[i]
    elif how == 1:
        changed.insert(j, entries[i])
    else:
        changed.insert(j, changed.pop(i))
    first = next(
        (k for k, (a, b) in enumerate(zip(entries, changed, strict=False)) if a is not b), None
    )
    if first is None and len(changed) == len(entries):
        return  # moved to where it was
    if first is None and len(changed) < len(entries):  # the last entry deleted: a cut tail
        assert verify_chain(changed).ok
        refused(verify_chain(changed, make_checkpoint(entries, at=START)))
        return
    refused(verify_chain(changed), (len(entries) if first is None else first) + 1)


def rewrite(entries: list[AuditEntry], fdp: atheris.FuzzedDataProvider) -> None:
    i = fdp.ConsumeIntInRange(0, len(entries) - 1)
    name = fdp.PickValueInList(["actor", "agency", "object_id", "source", "detail", "at"])
    value: Any = {
        "detail": {text(fdp): detail_value(fdp)},
        "at": entries[i].at + timedelta(milliseconds=fdp.ConsumeIntInRange(-(10**6), 10**6)),
    }.get(name, text(fdp) or "x")
    prev = entries[i - 1] if i else None
    rewritten = entries[:i]
    for k, entry in enumerate(entries[i:], start=i):
        fields = {f: getattr(entry, f) for f in FIELDS if f not in ("seq", "prev_hash", "hash")}
        if k == i:
            fields[name] = value
        prev = chain_next(prev, **fields)
        rewritten.append(prev)
    assert verify_chain(rewritten).ok  # consistent: only a checkpoint made before can tell
    if not same(rewritten[i], entries[i]):
        refused(verify_chain(rewritten, make_checkpoint(entries, at=START)))


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    tamper = fdp.ConsumeIntInRange(0, 3)
    entries = write_chain(fdp)
    check_untouched(entries, fdp)
    if tamper in (0, 1):
        change_a_byte(entries, fdp)
    elif tamper == 2:
        reorder(entries, fdp)
    else:
        rewrite(entries, fdp)


if __name__ == "__main__":
    run(
        test_one_input,
        [bytes([how]) + bytes(range(i, i + 64)) for how in range(4) for i in (0, 96)],
    )

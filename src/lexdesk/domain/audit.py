"""The tamper-evident audit trail: a hash chain of entries, anchored by signed Merkle checkpoints.

Each entry's hash covers its canonical encoding, which includes the previous entry's hash, so an
edit of any field, a deletion, an insertion or a reordering breaks the chain at the first entry
touched. A chain alone can still be rewritten wholesale, tail and all, by whoever can write the
table; checkpoints close that gap. A checkpoint is the RFC 6962 Merkle root over the entry hashes
up to a size, signed with Ed25519 and kept off-host (ASVS 16.4.3): a rewritten or truncated chain
no longer matches it, and a consistency proof (RFC 9162 §2.1.4) shows that a later checkpoint
extends an earlier one, so nothing recorded before was changed.

Canonical encoding of an entry, version 1: the JSON object of every field except ``hash``, keys
sorted by code point, no whitespace, non-ASCII left as is, encoded in UTF-8. ``at`` is written
``YYYY-MM-DDTHH:MM:SS.ffZ`` (UTC, hundredths of a second: CJIS AU-8). ``detail`` holds only
strings, integers, booleans, null, lists and objects: no floats, whose text differs between
languages and would make the hash depend on the verifier. ``entry_hash`` is the SHA-256 of that
encoding, in lower-case hex; the first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64
OUTCOMES = frozenset({"success", "failure", "denied"})
Outcome = Literal["success", "failure", "denied"]


def to_hundredths(at: datetime) -> datetime:
    """``at`` in UTC, truncated to the hundredth of a second that the encoding keeps."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"audit time {at.isoformat()} has no time zone: pass an aware UTC time")
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond - at.microsecond % 10_000)


def format_time(at: datetime) -> str:
    """``2020-01-17T14:03:22.41Z``: the time as the canonical encoding writes it."""
    milliseconds = to_hundredths(at).replace(tzinfo=None).isoformat(timespec="milliseconds")
    return milliseconds[:-1] + "Z"


@dataclass(frozen=True)
class AuditEntry:
    """One audited action: who (actor, agency), what (action on an object), when, from where,
    with what outcome (CJIS AU-3), and its place in the chain."""

    seq: int
    at: datetime
    actor: str
    agency: str
    action: str
    object_type: str
    object_id: str
    outcome: Outcome
    source: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    #: Where it came in: ``api``, ``web``, ``cli``, ``worker`` or ``internal`` (CJIS AU-3 (c)).
    component: str = ""
    #: The client program, as it named itself (its User-Agent), cut to 200 characters.
    client: str = ""
    #: The agency the act passes something to, where there is one: the addressee of a request,
    #: the requester an answer goes back to, the recipient of a release (CJIS III: "the
    #: authorized receiving agency").
    receiving_agency: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", to_hundredths(self.at))


def canonical_encoding(entry: AuditEntry) -> bytes:
    fields = {name: getattr(entry, name) for name in _HASHED}
    fields["at"] = format_time(entry.at)
    # The fields entries gained later are hashed only where set: an entry written before them
    # keeps the hash it was chained with.
    for name in _LATER:
        if not fields[name]:
            del fields[name]
    text = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


#: The fields an entry's hash covers: all but the hash itself (read once, not per entry).
_HASHED = tuple(f.name for f in dataclasses.fields(AuditEntry) if f.name != "hash")
_LATER = ("component", "client", "receiving_agency")


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_encoding(entry)).hexdigest()


def _check_json_safe(value: object, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit detail key {key!r} at {where} must be a string")
            _check_json_safe(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json_safe(item, f"{where}[{index}]")
    elif isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate cannot be encoded, so it cannot be hashed
    elif value is not None and not isinstance(value, int):
        raise ValueError(
            f"audit detail {where} is a {type(value).__name__}: use strings, integers, booleans,"
            " null, lists and objects (write a fraction as a string)"
        )


def draft(
    *,
    at: datetime,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: Outcome,
    source: str,
    detail: dict[str, Any] | None = None,
    component: str = "",
    client: str = "",
    receiving_agency: str = "",
) -> AuditEntry:
    """An entry checked and ready to be chained, with no place yet (seq 0, no hashes): what a
    request submits; the sequencer gives it its place (``sealed``)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome {outcome!r} is not one of {sorted(OUTCOMES)}")
    if not actor or not action:
        raise ValueError("an audit entry needs an actor (a user id or 'system') and an action")
    _check_json_safe(detail or {}, "detail")
    return AuditEntry(
        seq=0,
        at=at,
        actor=actor,
        agency=agency,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        source=source,
        # A JSON round trip stores exactly what was hashed, and the caller's dict stays theirs.
        detail=json.loads(json.dumps(detail or {})),
        prev_hash="",
        hash="",
        component=component,
        client=client[:200],
        receiving_agency=receiving_agency,
    )


def sealed(after: Anchor | None, entry: AuditEntry) -> AuditEntry:
    """``entry`` in the place after ``after`` (the chain's last entry, or the anchor of a purge;
    None: the chain's start), with its seq, prev_hash and hash."""
    unhashed = replace(
        entry,
        seq=1 if after is None else after.seq + 1,
        prev_hash=GENESIS_HASH if after is None else after.hash,
        hash="",
    )
    return replace(unhashed, hash=entry_hash(unhashed))


def chain_next(prev: AuditEntry | None, **fields: Any) -> AuditEntry:
    """The entry that follows ``prev`` (or starts the chain), with its seq, prev_hash and hash;
    ``fields`` as ``draft`` takes them."""
    return sealed(None if prev is None else Anchor(prev.seq, prev.hash), draft(**fields))


@dataclass(frozen=True)
class VerifyResult:
    """``checked`` entries verified good; on failure, where the chain first breaks and why.
    ``first_bad_seq`` is None only when the chain is whole but differs from a checkpoint."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    #: The last entry verified, when the whole walk checked: where a later walk can go on.
    last: Anchor | None = None


def _entry_fault(entry: AuditEntry, position: int, prev_hash: str) -> str | None:
    if entry.seq != position:
        kind = "sequence gap" if entry.seq > position else "sequence out of order"
        return f"{kind}: expected {position}, got {entry.seq}"
    if entry.prev_hash != prev_hash:
        if position == 1:
            return "prev_hash of entry 1 is not the genesis hash"
        return f"prev_hash does not match entry {position - 1}"
    try:
        computed = entry_hash(entry)
    except (TypeError, ValueError) as exc:
        return f"entry cannot be encoded: {exc}"
    return None if computed == entry.hash else "hash mismatch"


@dataclass(frozen=True)
class Anchor:
    """Where the chain starts after a purge: the last purged entry's seq and hash. The first
    kept entry must follow it as entry seq + 1 followed the purged one."""

    seq: int
    hash: str


class ChainWalk:
    """The chain checked one entry at a time, in constant memory whatever its length: the
    position, the last hash, and (for the entries up to ``cover``) a Merkle accumulator."""

    def __init__(self, start: Anchor | None = None, cover: int = 0) -> None:
        self.position, self.head = (start.seq, start.hash) if start else (0, GENESIS_HASH)
        self.checked = 0
        self.cover = cover
        self.tree = MerkleAccumulator()

    def step(self, entry: AuditEntry) -> str | None:
        """Why ``entry`` does not follow the chain so far, or None (and it is taken in)."""
        self.position += 1
        fault = _entry_fault(entry, self.position, self.head)
        if fault is None:
            self.checked += 1
            self.head = entry.hash
            if entry.seq <= self.cover:
                self.tree.add(bytes.fromhex(entry.hash))
        return fault


def verify_chain(
    entries: Iterable[AuditEntry],
    checkpoint: Checkpoint | None = None,
    start: Anchor | None = None,
) -> VerifyResult:
    """Walk the chain from entry 1 (or from the entry after ``start``, once a prefix has been
    purged), stopping at the first entry that does not check. With a checkpoint, also require
    that the chain covers it and matches its head and Merkle root (over the entries kept):
    that is what catches a deleted tail or a chain rewritten from some entry on. Constant
    memory: ``entries`` may be a stream of any length."""
    walk = ChainWalk(start, checkpoint.size if checkpoint else 0)
    covered_head = GENESIS_HASH
    for entry in entries:
        fault = walk.step(entry)
        if fault is not None:
            return VerifyResult(
                ok=False, checked=walk.checked, first_bad_seq=walk.position, reason=fault
            )
        if checkpoint is not None and entry.seq <= checkpoint.size:
            covered_head = entry.hash
    position, checked = walk.position, walk.checked
    if checkpoint is not None:
        if position < checkpoint.size:
            reason = (
                f"the chain ends at entry {position}, but the checkpoint covers {checkpoint.size}"
            )
            return VerifyResult(
                ok=False, checked=checked, first_bad_seq=position + 1, reason=reason
            )
        if not _matches(checkpoint, covered_head, walk.tree.root()):
            first = start.seq + 1 if start else 1
            reason = f"entries {first}..{checkpoint.size} do not match the checkpoint: they were"
            reason += " rewritten" if start is None else " rewritten, or purged after it was made"
            return VerifyResult(ok=False, checked=checked, reason=reason)
    return VerifyResult(ok=True, checked=checked, last=Anchor(position, walk.head))


# RFC 6962 §2.1 Merkle tree hash. The 0x00 / 0x01 prefixes keep a leaf from passing as a node.


def _leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2): RFC 6962's split, not the middle."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return _leaf_hash(leaves[lo])
    k = _split(hi - lo)
    return _node_hash(_subtree_root(leaves, lo, lo + k), _subtree_root(leaves, lo + k, hi))


class MerkleAccumulator:
    """MTH of RFC 6962 over leaves given one at a time, in O(log n) memory: the roots of the
    perfect subtrees so far (a binary counter of them), folded right to left at the end, which
    is the tree RFC 6962's largest-power-of-two split builds."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        node, height = _leaf_hash(leaf), 0
        while self._peaks and self._peaks[-1][0] == height:
            _, left = self._peaks.pop()
            node, height = _node_hash(left, node), height + 1
        self._peaks.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return hashlib.sha256(b"").digest()
        node = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            node = _node_hash(left, node)
        return node


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 over the leaf data (for the audit trail, the entry hashes)."""
    return _subtree_root(leaves, 0, len(leaves)) if leaves else hashlib.sha256(b"").digest()


def entry_hashes(entries: Iterable[AuditEntry]) -> list[bytes]:
    """The Merkle tree's leaves for a run of entries: their hashes as bytes."""
    return [bytes.fromhex(entry.hash) for entry in entries]


def _subproof(leaves: Sequence[bytes], lo: int, hi: int, m: int, whole: bool) -> list[bytes]:
    if m == hi - lo:
        return [] if whole else [_subtree_root(leaves, lo, hi)]
    k = _split(hi - lo)
    if m <= k:
        return [*_subproof(leaves, lo, lo + k, m, whole), _subtree_root(leaves, lo + k, hi)]
    return [*_subproof(leaves, lo + k, hi, m - k, False), _subtree_root(leaves, lo, lo + k)]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the first ``old_size`` leaves are a prefix of
    ``leaves``."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"old size {old_size} is outside 0..{len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(leaves, 0, len(leaves), old_size, True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does the tree of ``new_size`` leaves extend the one of ``old_size``?"""
    if not 0 <= old_size <= new_size or any(len(node) != 32 for node in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_hash = new_hash = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_hash, new_hash = _node_hash(node, old_hash), _node_hash(node, new_hash)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_hash = _node_hash(new_hash, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and old_hash == old_root and new_hash == new_root


@dataclass(frozen=True)
class Checkpoint:
    """The state of the trail at ``size`` entries: the last entry's hash and the Merkle root."""

    size: int
    head_hash: str
    root_hash: str
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", to_hundredths(self.at))


def make_checkpoint(entries: Iterable[AuditEntry], *, at: datetime) -> Checkpoint:
    """A checkpoint over ``entries``, which the caller has verified with ``verify_chain``. Its
    size is the last seq; after a purge the Merkle root covers the entries kept."""
    tree, head, size = MerkleAccumulator(), GENESIS_HASH, 0
    for entry in entries:
        tree.add(bytes.fromhex(entry.hash))
        head, size = entry.hash, entry.seq
    return Checkpoint(size=size, head_hash=head, root_hash=tree.root().hex(), at=at)


def checkpoint_of(walk: ChainWalk, *, at: datetime) -> Checkpoint:
    """The checkpoint of a walk that covered every entry (``cover`` past the last)."""
    return Checkpoint(
        size=walk.position, head_hash=walk.head, root_hash=walk.tree.root().hex(), at=at
    )


def _matches(checkpoint: Checkpoint, head: str, root: bytes) -> bool:
    return head == checkpoint.head_hash and root.hex() == checkpoint.root_hash


def checkpoint_text(checkpoint: Checkpoint) -> bytes:
    """The exact bytes that are signed: one ``name value`` pair a line, each ending in LF."""
    return (
        "lexdesk audit checkpoint v1\n"
        f"size {checkpoint.size}\nhead {checkpoint.head_hash}\nroot {checkpoint.root_hash}\n"
        f"at {format_time(checkpoint.at)}\n"
    ).encode("ascii")


# Ed25519 signatures (RFC 8032) through `cryptography`, imported where used so that the chain and
# the Merkle tree can be built and verified on a machine without it.


def new_signing_key() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair as raw bytes: (32-byte private key, 32-byte public key)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private_key = Ed25519PrivateKey.generate().private_bytes_raw()
    return private_key, public_key_for(private_key)


def public_key_for(private_key: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def sign_checkpoint(checkpoint: Checkpoint, private_key: bytes) -> bytes:
    """The 64-byte Ed25519 signature over ``checkpoint_text``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_key).sign(checkpoint_text(checkpoint))


def verify_checkpoint(checkpoint: Checkpoint, signature: bytes, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(public_key)  # ValueError unless 32 bytes
        key.verify(signature, checkpoint_text(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True

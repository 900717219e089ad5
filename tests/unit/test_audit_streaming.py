"""The audit chain is verified and checkpointed as a stream (issue 14, item 6): the Merkle
accumulator gives RFC 6962's root for every size, and verifying a chain ten times longer takes
no more memory than a short one."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from lexdesk.domain.audit import (
    AuditEntry,
    ChainWalk,
    MerkleAccumulator,
    chain_next,
    checkpoint_of,
    make_checkpoint,
    merkle_root,
    verify_chain,
)

T0 = datetime(2020, 1, 17, 15, tzinfo=UTC)


@given(st.lists(st.binary(min_size=1, max_size=8), max_size=140))
def test_the_accumulator_gives_the_root_of_rfc_6962_at_every_size(leaves: list[bytes]) -> None:
    tree = MerkleAccumulator()
    assert tree.root() == merkle_root([])
    for n, leaf in enumerate(leaves, start=1):
        tree.add(leaf)
        assert tree.size == n
    assert tree.root() == merkle_root(leaves)


def _stream(n: int) -> Iterator[AuditEntry]:
    """A valid chain of ``n`` entries, made as it is read: nothing holds it but the reader."""
    entry = None
    for i in range(n):
        entry = chain_next(
            entry, at=T0, actor="system", agency="doc", action="test.entry",
            object_type="instrument", object_id=f"ins-{i:016x}", outcome="success",
            source="test", detail={"n": i},
        )  # fmt: skip
        yield entry


def _peak(n: int) -> int:
    checkpoint = make_checkpoint(_stream(n), at=T0)
    tracemalloc.start()
    try:
        result = verify_chain(_stream(n), checkpoint)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.ok and result.checked == n
    return peak


def test_verifying_against_a_checkpoint_takes_the_same_memory_at_any_length() -> None:
    short, long = _peak(2_000), _peak(20_000)
    assert long < short * 1.5, (short, long)


def test_a_walk_over_every_entry_makes_the_same_checkpoint_as_the_list() -> None:
    entries = list(_stream(37))
    walk = ChainWalk(cover=10**9)
    assert all(walk.step(entry) is None for entry in entries)
    assert checkpoint_of(walk, at=T0) == make_checkpoint(entries, at=T0)

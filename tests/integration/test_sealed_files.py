"""Stored files (attachments, signed documents) are sealed at rest (security.md row 25): the
blob directory holds no readable byte of them; a file moved to another name, or changed, does not
open; files kept before sealing are read as they are until ``reseal``; a key rotation keeps
every file readable and ``reseal`` brings them all under the new key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lexdesk.adapters.blobs import PLAIN, LocalBlobStore
from lexdesk.adapters.sealing import SealBroken, Sealer

PDF = b"%PDF-1.7\n% a synthetic subpoena for Ilse Vantor\n%%EOF\n"
OLD, NEW = Sealer.of(b"o" * 32), Sealer.of(b"n" * 32, b"o" * 32)


def _raw(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]


def test_a_stored_file_is_unreadable_on_disk_and_whole_through_the_store(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, OLD)
    digest = store.put(PDF)
    assert digest == hashlib.sha256(PDF).hexdigest() and store.put(PDF) == digest
    [raw] = _raw(tmp_path)
    assert b"%PDF" not in raw and b"Vantor" not in raw
    assert b"".join(store.read(digest)) == PDF
    assert store.census() == {OLD.current: 1}


def test_a_file_moved_to_another_name_or_changed_does_not_open(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, OLD)
    digest, other = store.put(PDF), store.put(b"%PDF-1.7 another")
    path, other_path = store._path(digest), store._path(other)
    other_path.write_bytes(path.read_bytes())
    with pytest.raises(SealBroken, match="changed or moved"):
        b"".join(store.read(other))
    changed = bytearray(path.read_bytes())
    changed[-1] ^= 1
    path.write_bytes(bytes(changed))
    with pytest.raises(SealBroken):
        b"".join(store.read(digest))
    with pytest.raises(SealBroken, match="not in the ring"):
        b"".join(LocalBlobStore(tmp_path, Sealer.of(b"x" * 32)).read(other))


def test_files_from_before_sealing_and_a_rotation_are_resealed_and_stay_readable(
    tmp_path: Path,
) -> None:
    legacy = LocalBlobStore(tmp_path).put(PDF)
    old = LocalBlobStore(tmp_path, OLD).put(b"%PDF-1.7 sealed with the old key")
    rotated = LocalBlobStore(tmp_path, NEW)
    assert rotated.census() == {PLAIN: 1, OLD.current: 1}
    assert b"".join(rotated.read(legacy)) == PDF
    assert rotated.reseal() == 2 and rotated.reseal() == 0
    assert rotated.census() == {NEW.current: 2}
    assert b"".join(rotated.read(legacy)) == PDF
    assert b"".join(rotated.read(old)) == b"%PDF-1.7 sealed with the old key"
    assert all(b"%PDF" not in raw for raw in _raw(tmp_path))

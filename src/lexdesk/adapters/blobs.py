"""The blob store: files kept by their SHA-256 under one directory (``LEXDESK_BLOB_DIR``),
``ab/cd/abcd…``. Writing is atomic (a temporary file, fsync, rename), and idempotent: the same
bytes twice are one file. Nothing is deleted here: an attachment's row names its hash.

Given the desk's key ring (``adapters.sealing``), each file is kept sealed: ``MAGIC``, the id of
the key, a nonce, and the bytes encrypted with AES-256-GCM under the file's own SHA-256 as
associated data, so that whoever copies the directory reads no attachment or signed document,
and a file moved to another name does not open. Files kept before sealing are read as they are
until ``lexdesk data-keys rewrap`` seals them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import filetype
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lexdesk.adapters.sealing import SealBroken, Sealer
from lexdesk.domain.errors import NotFound

CHUNK = 64 * 1024
MAGIC = b"lexdesk blob 1\n"
_KEY_ID = 8
_NONCE = 12
PLAIN = "not sealed"


class LocalBlobStore:
    def __init__(self, root: Path, sealer: Sealer | None = None) -> None:
        self.root = root
        self.sealer = sealer

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise NotFound("blob", digest[:64])
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self._path(digest)
        if target.exists():
            return digest
        self._write(target, self._sealed(data, digest))
        return digest

    def _sealed(self, data: bytes, digest: str) -> bytes:
        if self.sealer is None:
            return data
        kid, nonce = self.sealer.current, os.urandom(_NONCE)
        sealed = AESGCM(self.sealer.keys[kid]).encrypt(nonce, data, digest.encode())
        return MAGIC + kid.encode() + nonce + sealed

    @staticmethod
    def _write(target: Path, content: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def read(self, digest: str) -> Iterator[bytes]:
        path = self._path(digest)
        if not path.exists():
            raise NotFound("blob", digest)
        with path.open("rb") as source:
            if source.read(len(MAGIC)) == MAGIC:
                data = self._opened(source.read(), digest)
                for start in range(0, len(data), CHUNK):
                    yield data[start : start + CHUNK]
                return
            source.seek(0)
            while chunk := source.read(CHUNK):
                yield chunk

    def _opened(self, sealed: bytes, digest: str) -> bytes:
        kid = sealed[:_KEY_ID].decode("ascii", "replace")
        key = self.sealer.keys.get(kid) if self.sealer else None
        if key is None:
            raise SealBroken(f"file {digest[:12]}… was sealed with key {kid}, not in the ring")
        body = sealed[_KEY_ID:]
        try:
            return AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], digest.encode())
        except InvalidTag:
            raise SealBroken(
                f"file {digest[:12]}… does not open: it was changed or moved"
            ) from None

    def census(self) -> dict[str, int]:
        """The files by the key that sealed them (``not sealed``: kept before sealing was)."""
        counts: Counter[str] = Counter()
        for path in self._files():
            with path.open("rb") as source:
                sealed = source.read(len(MAGIC)) == MAGIC
                counts[source.read(_KEY_ID).decode("ascii", "replace") if sealed else PLAIN] += 1
        return dict(counts)

    def reseal(self) -> int:
        """Seal with the current key every file that is not (those kept before sealing, too):
        how many. Each is replaced atomically: a reader finds the old file or the new one."""
        if self.sealer is None:
            return 0
        current = MAGIC + self.sealer.current.encode()
        changed = 0
        for path in self._files():
            with path.open("rb") as source:
                if source.read(len(current)) == current:
                    continue
            digest = path.name
            self._write(path, self._sealed(b"".join(self.read(digest)), digest))
            changed += 1
        return changed

    def _files(self) -> Iterator[Path]:
        if self.root.exists():
            yield from (p for p in self.root.glob("??/??/*") if not p.name.startswith("."))

    def sniff(self, data: bytes) -> str | None:
        """The media type the bytes themselves declare (their magic numbers)."""
        found = filetype.guess_mime(data[:8192])
        return str(found) if found else None

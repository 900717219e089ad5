"""The blob store: files kept by their SHA-256 under one directory (``LEXDESK_BLOB_DIR``),
``ab/cd/abcd…``. Writing is atomic (a temporary file, fsync, rename), and idempotent: the same
bytes twice are one file. Nothing is deleted here: an attachment's row names its hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import filetype

from lexdesk.domain.errors import NotFound

CHUNK = 64 * 1024


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise NotFound("blob", digest[:64])
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self._path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def read(self, digest: str) -> Iterator[bytes]:
        path = self._path(digest)
        if not path.exists():
            raise NotFound("blob", digest)
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def sniff(self, data: bytes) -> str | None:
        """The media type the bytes themselves declare (their magic numbers)."""
        found = filetype.guess_mime(data[:8192])
        return str(found) if found else None

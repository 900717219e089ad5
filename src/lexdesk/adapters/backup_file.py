"""The sealed backup file: compressed, encrypted, and checked part by part on the way back in.

Layout::

    lexdesk backup 1\\n
    {"key": <key id>, "wrapped": <b64>, "stream": <b64>}\\n      the header
    <4-byte length><AES-256-GCM part>                           repeated, the last one marked

Each backup has a key of its own (256 random bits), kept in the header sealed with the desk's
current data key (``adapters.sealing``: the key ring that seals TOTP seeds), so that whoever
holds the file but not the data key learns nothing from it, and a data-key rotation does not
strand old backups while the previous key stays in the ring. The zlib-compressed content is cut
into parts of ``PART`` bytes, each sealed with a nonce made of a random prefix, the part's
number and a flag set on the last part only, and with the header as associated data (the
STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015): a changed byte anywhere,
parts swapped, dropped or replayed, or a file cut short, and the file does not open.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lexdesk.adapters.sealing import Sealer

MAGIC = b"lexdesk backup 1\n"
#: Plaintext bytes per sealed part: small enough to stream, large enough that the 16-byte tag
#: and the 4-byte length cost nothing.
PART = 1 << 20
_PREFIX = 7
_NONCE = 12
_LAST = b"\x01"
_MORE = b"\x00"


class BackupBroken(Exception):
    """A file that is not a whole, untouched lexdesk backup this desk's keys open."""


class SealedWriter:
    """Writes the sealed stream to ``out``: ``write`` the content, then ``close``."""

    def __init__(self, out: BinaryIO, sealer: Sealer) -> None:
        self._out = out
        self._key = AESGCM.generate_key(bit_length=256)
        self._prefix = os.urandom(_PREFIX)
        wrap_nonce = os.urandom(_NONCE)
        wrapped = AESGCM(sealer.keys[sealer.current]).encrypt(
            wrap_nonce, self._key, MAGIC + sealer.current.encode()
        )
        header = {
            "key": sealer.current,
            "wrapped": _b64(wrap_nonce + wrapped),
            "stream": _b64(self._prefix),
        }
        self._header = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
        out.write(self._header)
        self._compressor = zlib.compressobj(6)
        self._pending = bytearray()
        self._parts = 0

    def write(self, data: bytes) -> None:
        self._pending += self._compressor.compress(data)
        while len(self._pending) > PART:
            self._seal(bytes(self._pending[:PART]), last=False)
            del self._pending[:PART]

    def close(self) -> None:
        self._pending += self._compressor.flush()
        self._seal(bytes(self._pending), last=True)
        self._pending.clear()
        self._out.flush()

    def _seal(self, part: bytes, *, last: bool) -> None:
        nonce = self._prefix + self._parts.to_bytes(4, "big") + (_LAST if last else _MORE)
        sealed = AESGCM(self._key).encrypt(nonce, part, self._header)
        self._out.write(len(sealed).to_bytes(4, "big") + sealed)
        self._parts += 1


def opened(source: BinaryIO, sealer: Sealer) -> Iterator[bytes]:
    """The content of a sealed backup, decompressed, as it is read; ``BackupBroken`` at the
    first part that does not open, and at the end of a file cut short or with bytes after its
    last part. Nothing is yielded from a part before it is checked."""
    aead, prefix, header = _unwrap(source, sealer)
    inflate = zlib.decompressobj()
    number = 0
    while True:
        length = source.read(4)
        if len(length) < 4:
            raise BackupBroken("the backup is truncated: it ends before its last part")
        size = int.from_bytes(length, "big")
        sealed = source.read(size)
        if len(sealed) < size:
            raise BackupBroken(f"the backup is truncated: part {number} stops short")
        last = _open_part(aead, prefix, number, sealed, header)
        try:
            yield inflate.decompress(last[1])
        except zlib.error:
            raise BackupBroken(f"part {number} of the backup does not decompress") from None
        if last[0]:
            break
        number += 1
    if source.read(1):
        raise BackupBroken("the backup has been tampered with: bytes follow its last part")
    if not inflate.eof:
        raise BackupBroken("the backup is truncated: its content stops short")
    yield inflate.flush()


def lines(source: BinaryIO, sealer: Sealer) -> Iterator[bytes]:
    """The content's lines, without their line ends."""
    rest = b""
    for data in opened(source, sealer):
        rest += data
        *whole, rest = rest.split(b"\n")
        yield from whole
    if rest:
        yield rest


def _unwrap(source: BinaryIO, sealer: Sealer) -> tuple[AESGCM, bytes, bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupBroken("this is not a lexdesk backup (it does not start as one)")
    line = source.readline(4096)
    try:
        header = json.loads(line)
        kid, wrapped, prefix = header["key"], _unb64(header["wrapped"]), _unb64(header["stream"])
    except (ValueError, KeyError, TypeError):
        raise BackupBroken("the backup's header is damaged") from None
    key = sealer.keys.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise BackupBroken(
            f"the backup was sealed with data key {kid}, which is not in this desk's ring:"
            " set it as LEXDESK_DATA_KEY or in LEXDESK_DATA_KEYS_PREVIOUS"
        )
    try:
        part_key = AESGCM(key).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], MAGIC + kid.encode())
    except (InvalidTag, ValueError):
        raise BackupBroken("the backup's header has been tampered with") from None
    if len(prefix) != _PREFIX:
        raise BackupBroken("the backup's header is damaged")
    return AESGCM(part_key), prefix, MAGIC + line


def _open_part(
    aead: AESGCM, prefix: bytes, number: int, sealed: bytes, header: bytes
) -> tuple[bool, bytes]:
    """(whether it is the last part, its bytes)."""
    counter = number.to_bytes(4, "big")
    for flag in (_MORE, _LAST):
        try:
            return flag == _LAST, aead.decrypt(prefix + counter + flag, sealed, header)
        except (InvalidTag, ValueError):
            continue
    raise BackupBroken(
        f"the backup has been tampered with or is truncated: part {number} does not open"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not text")
    return base64.b64decode(text, validate=True)

"""Secrets kept at rest sealed with AES-256-GCM (``cryptography``), so that whoever reads the
database file, a dump or a backup cannot read them: the TOTP seeds, with which anyone could
mint every user's codes, and people's records (``adapters.person_records``).

A sealed value is ``lxs1.<key id>.<base64url(nonce + ciphertext + tag)>`` (``lxz1``: compressed
before it was sealed). Its row's id is the
associated data: a value copied into another row does not open. The keys form a ring: new
values are sealed with the current key, and any key of the ring opens what it sealed, so a new
key is brought in without downtime and ``lexdesk data-keys rewrap`` then seals everything again
with it, after which the old key can go. The keys come from ``LEXDESK_DATA_KEY`` (and
``LEXDESK_DATA_KEYS_PREVIOUS``) or, failing that, from the key passphrase (bootstrap).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "lxs1"
#: A value compressed (zlib) before it was sealed: the rule engine's records, long and alike.
PACKED = "lxz1"
#: A value sealed with a key of its own (``Sealer.seal_apart``).
APART = "lxa1"
NONCE = 12
#: The passphrase of a desk given none (``config.DEVELOPMENT_PASSPHRASE``; a test checks they
#: agree): fine for a laptop, refused in production.
DEVELOPMENT_PASSPHRASE = "lexdesk-development-passphrase"  # noqa: S105


class SealBroken(Exception):
    """A sealed value that no key of the ring opens for this row."""


def key_from_passphrase(passphrase: str) -> bytes:
    """A 256-bit key derived from a passphrase (HKDF-SHA-256, a fixed purpose label)."""
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lexdesk data key v1")
    return derive.derive(passphrase.encode("utf-8"))


@cache
def index_key(key: bytes) -> bytes:
    """The key of the blind index, derived from a data key under its own label: a digest
    made with it says nothing about the data key, and it changes when the data key does."""
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lexdesk blind index v1")
    return derive.derive(key)


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"lexdesk key id\0" + key).hexdigest()[:8]


@dataclass(frozen=True)
class Sealer:
    """A ring of 256-bit keys by id, and the one that seals."""

    keys: Mapping[str, bytes]
    current: str

    @classmethod
    def of(cls, current: bytes, *previous: bytes) -> Sealer:
        ring = {key_id(k): k for k in (*previous, current)}
        return cls(ring, key_id(current))

    def seal(self, value: str, row: str, *, packed: bool = False) -> str:
        """``value`` sealed for ``row``; ``packed``: compressed first, for long values that
        repeat themselves (a compressed length says how repetitive a value is, nothing of
        what it says: fine at rest, where no one chooses part of what is sealed)."""
        data = zlib.compress(value.encode(), 6) if packed else value.encode()
        nonce = os.urandom(NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data, row.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PACKED if packed else PREFIX}.{self.current}.{body}"

    def reseal(self, stored: str, row: str, value: str | None = None) -> str:
        """``stored`` sealed again with the current key, packed if it was; ``value``: what it
        holds, when the caller has opened it already."""
        opened = self.open(stored, row) if value is None else value
        return self.seal(opened, row, packed=stored.startswith(PACKED + "."))

    def open(self, stored: str, row: str) -> str:
        """The value; one stored before sealing existed comes back as it is."""
        if not self.is_sealed(stored):
            return stored
        _, kid, body = stored.split(".", 2)
        key = self.keys.get(kid)
        if key is None:
            raise SealBroken(f"a secret of row {row} was sealed with key {kid}, not in the ring")
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            data = AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], row.encode())
        except InvalidTag:
            raise SealBroken(f"a secret of row {row} does not open: it belongs elsewhere") from None
        return (zlib.decompress(data) if stored.startswith(PACKED + ".") else data).decode()

    def seal_apart(self, value: str, row: str) -> tuple[str, str]:
        """``value`` sealed with a key of its own, and that key sealed with the ring (envelope
        encryption): a row that must never change (the disclosure ledger's) keeps the first,
        and a rotation re-seals only the second, which is kept beside it."""
        own = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE)
        sealed = AESGCM(own).encrypt(nonce, value.encode(), row.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{APART}.{body}", self.seal(base64.urlsafe_b64encode(own).decode(), row)

    def open_apart(self, stored: str, wrapped: str, row: str) -> str:
        """A value sealed apart, with its sealed key; one stored before sealing comes back as
        it is."""
        if not stored.startswith(APART + "."):
            return stored
        own = base64.urlsafe_b64decode(self.open(wrapped, row))
        body = stored.split(".", 1)[1]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            return AESGCM(own).decrypt(raw[:NONCE], raw[NONCE:], row.encode()).decode()
        except InvalidTag:
            raise SealBroken(f"a value of row {row} does not open: it belongs elsewhere") from None

    def digest(self, term: str) -> str:
        """The blind-index digest of ``term`` under the current key (HMAC-SHA-256, 128 bits):
        equal terms give equal digests, so a sealed value can be found by what it is, but
        the digest does not tell what it is."""
        return _digest(self.keys[self.current], term)

    def digests(self, term: str) -> list[str]:
        """``term``'s digest under every key of the ring, the current first: what a lookup
        matches while a rotation is under way (a value indexed before it under the old key)."""
        return [_digest(k, term) for k in self._current_first()]

    def term(self, term: str) -> int:
        """A word's entry in the name index: its digest under the current key as a signed
        64-bit integer (8 bytes a row where text takes 23; two words of one agency share
        one by chance once in some 10^19 pairs, and a search then finds one row too many)."""
        return _term(self.keys[self.current], term)

    def terms(self, term: str) -> list[int]:
        """``term``'s entry under every key of the ring, the current first (as ``digests``)."""
        return [_term(k, term) for k in self._current_first()]

    def _current_first(self) -> list[bytes]:
        current = self.keys[self.current]
        return [current, *(k for kid, k in self.keys.items() if kid != self.current)]

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith((PREFIX + ".", PACKED + "."))

    def sealed_with_current(self, stored: str) -> bool:
        return stored.startswith((f"{PREFIX}.{self.current}.", f"{PACKED}.{self.current}."))


def _mac(key: bytes, term: str) -> bytes:
    return hmac.digest(index_key(key), term.encode("utf-8"), "sha256")


def _digest(key: bytes, term: str) -> str:
    return base64.urlsafe_b64encode(_mac(key, term)[:16]).decode().rstrip("=")


def _term(key: bytes, term: str) -> int:
    return int.from_bytes(_mac(key, term)[:8], "big", signed=True)


DEVELOPMENT = Sealer.of(key_from_passphrase(DEVELOPMENT_PASSPHRASE))

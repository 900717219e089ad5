"""Identifiers: short, typable, prefixed by what they name (``ins-4f0c9a1e2b7d6e33``)."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    # 64 random bits: collisions are negligible at national scale (tens of millions of rows).
    return f"{prefix}-{secrets.token_hex(8)}"

"""The worker against real databases: the lawful harness's world (its agencies, users and
clock), on SQLite and on PostgreSQL."""

from __future__ import annotations

from tests.lawful.conftest import world

__all__ = ["world"]

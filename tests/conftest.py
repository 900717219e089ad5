"""Shared fixtures. Unit tests use the fakes; integration and e2e tests real databases."""

from __future__ import annotations

from collections.abc import Generator

import pytest
from hypothesis import settings

from tests.coverage_gate import measured_only_if_gating
from tests.databases import _migrated, database_url, engine, owner_engine

settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile("ci")

__all__ = ["_migrated", "database_url", "engine", "owner_engine"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    with measured_only_if_gating(item):
        return (yield)

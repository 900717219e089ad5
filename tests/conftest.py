"""Shared fixtures. Unit tests use the fakes; integration and e2e tests real databases."""

from __future__ import annotations

from collections.abc import Generator

import pytest
from argon2 import PasswordHasher
from hypothesis import settings

from lexdesk.domain import credentials
from tests.coverage_gate import measured_only_if_gating
from tests.databases import _migrated, database_url, engine, owner_engine

settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile("ci")

#: The desk's own parameters (64 MiB, 3 passes, 4 lanes: about 130 ms a hash here), for the
#: tests that are about them (``production_hasher``).
PRODUCTION_HASHER = credentials._HASHER
# Every other test hashes and checks passwords with argon2id at its least cost (1 MiB, one
# pass, one lane): the same algorithm, format and code, at a hundredth of the time. The
# suite's worlds make and sign in thousands of accounts; at the desk's cost that was about a
# tenth of the whole suite's time. A process the tests start (the command line, a server)
# hashes at the desk's own cost, and a hash carries its parameters, so either verifies.
credentials._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

__all__ = ["_migrated", "database_url", "engine", "owner_engine"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (``slow``, longest by its ``seconds``), in the order the run
    shuffled them otherwise: each worker takes one of them at the start, while the rest of the
    suite shares the others' time, rather than one worker running them alone at the end."""

    def cost(item: pytest.Item) -> int:
        slow = item.get_closest_marker("slow")
        return 0 if slow is None else int(slow.kwargs.get("seconds", 60))

    items.sort(key=cost, reverse=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    with measured_only_if_gating(item):
        return (yield)


@pytest.fixture
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """The desk's own argon2id parameters for this test, as every deployment hashes."""
    monkeypatch.setattr(credentials, "_HASHER", PRODUCTION_HASHER)
    return PRODUCTION_HASHER

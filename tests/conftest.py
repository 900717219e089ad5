"""Shared fixtures. Unit tests use the fakes; integration and e2e tests real databases."""

from __future__ import annotations

import os
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
    """Each worker starts with its share of the longest tests (``slow``, by their ``seconds``).

    ``make test`` runs xdist's ``worksteal`` schedule: it gives each worker one contiguous
    slice of the collection, in order, and lets a worker that runs dry take the unstarted end
    of another's slice. A test already running cannot be taken, so a slice that ends with two
    eight-minute tests makes the run wait for one worker alone. Here the longest tests are
    dealt out to the slices the schedule will make, the longest first to the slice with the
    least of them, each at the head of its slice; the rest keep their order (a module's tests
    together, sharing its fixtures)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))

    def cost(item: pytest.Item) -> int:
        slow = item.get_closest_marker("slow")
        return 0 if slow is None else int(slow.kwargs.get("seconds", 60))

    longest = sorted((item for item in items if cost(item)), key=cost, reverse=True)
    rest = iter([item for item in items if not cost(item)])
    sizes, left = [], len(items)
    for worker in range(workers):  # as worksteal cuts the collection: what is left, shared
        sizes.append(left // (workers - worker))
        left -= sizes[-1]
    slices: list[list[pytest.Item]] = [[] for _ in sizes]
    loads = [0] * workers
    for item in longest:
        free = [w for w in range(workers) if len(slices[w]) < sizes[w]]
        chosen = min(free, key=lambda w: loads[w])
        slices[chosen].append(item)
        loads[chosen] += cost(item)
    for worker, size in enumerate(sizes):
        slices[worker] += [next(rest) for _ in range(size - len(slices[worker]))]
    items[:] = [item for part in slices for item in part]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    with measured_only_if_gating(item):
        return (yield)


@pytest.fixture
def production_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """The desk's own argon2id parameters for this test, as every deployment hashes."""
    monkeypatch.setattr(credentials, "_HASHER", PRODUCTION_HASHER)
    return PRODUCTION_HASHER

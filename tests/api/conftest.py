"""API fixtures: a seeded world per test module and database (see ``world.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.world import World, build_world, database
from tests.audit_rows import check_audit_rows


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    name = request.module.__name__.rsplit(".", 1)[-1]
    url = database(request.param, tmp_path_factory.mktemp(name), name)
    built = build_world(url)
    yield built
    built.client.close()
    built.built.engine.dispose()


@pytest.fixture(autouse=True)
def _audit_rows_are_complete(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, the audit rows written since the last check (by this test, or by
    building the world) must have the required content: see ``tests/audit_rows.py``."""
    worlds = [
        request.getfixturevalue(name)
        for name in ("world", "fuzz_world")
        if name in request.fixturenames
    ]
    yield
    for world in worlds:
        world.audit_checked = check_audit_rows(world.built.engine, world.audit_checked)

"""A seeded world behind the API (``tests/api/world.py``), per module and database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.world import World, build_world, database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    name = "rel_" + request.module.__name__.rsplit(".", 1)[-1]
    url = database(request.param, tmp_path_factory.mktemp(name), name)
    built = build_world(url)
    yield built
    built.client.close()
    built.built.engine.dispose()

"""Each test gets a fresh desk under the real rule packs, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.audit_rows import check_audit_rows
from tests.lawful.harness import Lawful, build_lawful, database


@pytest.fixture(params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lawful]:
    url = database(request.param, tmp_path_factory.mktemp("lawful"), "lawful")
    built = build_lawful(url)
    yield built
    built.client.close()
    try:
        check_audit_rows(built.built.engine)
    finally:
        built.built.engine.dispose()

"""The PostgreSQL connection pool is sized by settings (docs/deployment.md, "Connections"):
a process keeps ``LEXDESK_DB_POOL_SIZE`` connections, opens ``LEXDESK_DB_POOL_OVERFLOW`` more
when busy, and a checkout that finds every one in use fails after ``LEXDESK_DB_POOL_TIMEOUT``
seconds instead of waiting for ever."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.cli.common import setting_error

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine() -> Iterator[Engine]:
    url = os.environ.get("LEXDESK_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("LEXDESK_TEST_POSTGRES_URL is not set")
    settings = Settings(database_url=url, db_pool_size=2, db_pool_overflow=1, db_pool_timeout=0.3)
    built = build(settings)
    yield built.engine
    built.engine.dispose()


def test_the_pool_keeps_and_opens_what_the_settings_say(engine: Engine) -> None:
    assert engine.pool.size() == 2  # type: ignore[attr-defined]
    held = [engine.connect() for _ in range(3)]  # two kept, one more when busy
    for connection in held:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    with pytest.raises(PoolTimeout):  # the fourth waits 0.3 s, then fails
        engine.connect()
    held.pop().close()
    with engine.connect() as freed:  # one given back is one to take
        assert freed.execute(text("SELECT 1")).scalar_one() == 1
    for connection in held:
        connection.close()


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("db_pool_size", 0, "LEXDESK_DB_POOL_SIZE: Input should be greater than or equal to 1"),
        ("db_pool_overflow", -1, "LEXDESK_DB_POOL_OVERFLOW: Input should be greater than or"),
        ("db_pool_timeout", 0, "LEXDESK_DB_POOL_TIMEOUT: Input should be greater than 0"),
    ],
)
def test_a_pool_setting_out_of_range_is_named(variable: str, value: int, said: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{variable: value})  # type: ignore[arg-type]
    assert setting_error(refused.value).startswith(said)

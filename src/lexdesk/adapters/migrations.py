"""Run Alembic from code, on the engine lexdesk was configured with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Any

from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine

from lexdesk.adapters.sealing import Sealer


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("lexdesk") / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head", sealer: Sealer | None = None) -> None:
    """Migrate to ``revision``; ``sealer`` seals what a migration moves out of the clear
    (0026: people's records), and one that must is refused on a database holding any without."""
    config = _config()
    with _migrating(engine) as connection:
        config.attributes.update(connection=connection, sealer=sealer)
        command.upgrade(config, revision)


def handed_sealer(revision: str, what: str) -> Sealer:
    """The key ring ``upgrade`` handed to the running migration, which seals ``what`` (or opens
    it, going down); a call from code that handed none is refused, naming the command that
    hands it."""
    config = op.get_context().config
    sealer = config.attributes.get("sealer") if config else None
    if not isinstance(sealer, Sealer):
        raise RuntimeError(
            f"this database holds {what} and migration {revision} seals them: "
            "run it with `lexdesk db upgrade`, which knows the data key"
        )
    return sealer


def downgrade(engine: Engine, revision: str, sealer: Sealer | None = None) -> None:
    config = _config()
    with _migrating(engine) as connection:
        config.attributes.update(connection=connection, sealer=sealer)
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the migrations. On SQLite, foreign keys are not enforced inside it
    (batch mode copies a table and drops the old one, which its children refer to: Alembic's
    advice) and are checked whole before it commits; the pragma works only outside a
    transaction, so it is set on the driver's connection before the transaction begins."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left a row whose parent is gone")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return revision_of(connection)


def revision_of(connection: Connection) -> str | None:
    """The schema revision as ``connection``'s transaction sees it."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def revise(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the tables and the database."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def is_known(revision: str) -> bool:
    """Whether ``revision`` is one of this lexdesk's migrations."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False

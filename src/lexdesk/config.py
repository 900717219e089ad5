"""The one typed settings object. It is the only reader of the environment (``LEXDESK_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEXDESK_", extra="ignore")

    #: An SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``). When unset,
    #: lexdesk uses the embedded SQLite file at ``sqlite_path``.
    database_url: str | None = None
    sqlite_path: Path = Path("var/lexdesk.sqlite3")
    #: Echo SQL statements (debugging only: they may carry personal data).
    echo_sql: bool = False

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError(
                "LEXDESK_DATABASE_URL must start with sqlite:/// or postgresql:// "
                f"(got {value.split(':', 1)[0]}:...)"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

"""The one typed settings object. It is the only reader of the environment (``LEXDESK_*``)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The key passphrase of a desk that was given none: fine for a laptop, never for a deployment.
DEVELOPMENT_PASSPHRASE = "lexdesk-development-passphrase"  # noqa: S105


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEXDESK_", extra="ignore")

    #: An SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``). When unset,
    #: lexdesk uses the embedded SQLite file at ``sqlite_path``.
    database_url: str | None = None
    sqlite_path: Path = Path("var/lexdesk.sqlite3")
    #: Echo SQL statements (debugging only: they may carry personal data).
    echo_sql: bool = False
    #: PostgreSQL connections each process keeps open, the more it may open when all are busy,
    #: and the seconds a request waits for one when all of those are in use before it fails
    #: (docs/deployment.md, "Connections").
    db_pool_size: int = Field(default=5, ge=1, le=1000)
    db_pool_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout: float = Field(default=30.0, gt=0, le=3600)

    #: Where links in e-mails and calendar entries point: the desk's public address.
    base_url: str = "http://127.0.0.1:8000"
    #: ``smtp://[user:pass@]host[:port][?starttls=1]`` or ``smtps://...``; unset: no e-mail.
    smtp_url: str | None = None
    mail_from: str = "lexdesk <lexdesk@localhost>"
    #: Seconds before an SMTP server or a webhook receiver that does not answer is given up on
    #: (for this attempt).
    delivery_timeout: float = 10.0
    #: Hours before a due time at which its addressee is reminded, comma-separated.
    reminders: str = "24,2"
    #: Hours before a person's expected release at which the custodian of an open detainer,
    #: notification or transfer request is reminded.
    release_reminder: float = 24.0
    #: Seconds between the worker's sweeps.
    sweep_interval: float = 60.0
    #: Attempts before a message is dead-lettered.
    max_attempts: int = 8
    #: The passphrase that encrypts the signing keys' private halves at rest (docs/adr/
    #: 0018-documents.md). The default is for development and tests only: set your own.
    key_passphrase: str = DEVELOPMENT_PASSPHRASE
    #: The key that seals secrets at rest (TOTP seeds): 32 random bytes in base64 (``lexdesk keys
    #: new``). Unset: derived from the key passphrase. ``data_keys_previous``: the keys it
    #: replaces, comma-separated, kept until ``lexdesk keys rewrap`` has sealed all anew.
    data_key: str | None = None
    data_keys_previous: str = ""
    #: Where attachments are kept, each file named by its SHA-256.
    blob_dir: Path = Path("var/blobs")
    #: Verifications (``/verify``, ``POST /api/v1/verifications``) one client address may make
    #: a minute; more are refused with 429 until the minute has passed.
    verify_rate: int = 30
    #: The bearer token ``GET /metrics`` asks for; unset: metrics are open on loopback only.
    metrics_token: str | None = None
    #: ``production`` refuses to serve an unsafe configuration (docs/deployment.md) and gives
    #: every browser the Secure ``__Host-`` cookies, whatever the request's Host header says.
    env: Literal["development", "production"] = "development"
    #: The reverse proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed:
    #: comma-separated addresses, or ``*`` for any (only behind a proxy that sets them).
    trusted_proxies: str = "127.0.0.1"

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

    @field_validator("data_key", "data_keys_previous")
    @classmethod
    def _data_keys(cls, value: str | None) -> str | None:
        for text in (value or "").split(","):
            try:
                size = len(base64.b64decode(text.strip(), validate=True)) if text.strip() else 32
            except ValueError:
                size = 0
            if size != 32:
                raise ValueError(
                    "LEXDESK_DATA_KEY and LEXDESK_DATA_KEYS_PREVIOUS take keys of 32 random "
                    "bytes in base64 (make one: lexdesk data-keys new)"
                )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme, _, rest = value.partition("://")
        if scheme not in ("smtp", "smtps") or not rest.strip("/"):
            raise ValueError(
                "LEXDESK_SMTP_URL must look like smtp://host:25 or smtps://host:465 "
                f"(got {scheme or value!r}:...)"
            )
        return value

    @field_validator("reminders")
    @classmethod
    def _hours(cls, value: str) -> str:
        try:
            hours = [float(part) for part in value.split(",") if part.strip()]
        except ValueError:
            raise ValueError(
                f"LEXDESK_REMINDERS must be hours separated by commas, e.g. 24,2 (got {value!r})"
            ) from None
        if any(h <= 0 for h in hours):
            raise ValueError("LEXDESK_REMINDERS: every reminder is a positive number of hours")
        return value

    @property
    def reminder_hours(self) -> tuple[float, ...]:
        return tuple(float(part) for part in self.reminders.split(",") if part.strip())

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

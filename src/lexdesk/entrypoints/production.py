"""Production mode (``LEXDESK_ENV=production``): the desk refuses to serve a configuration that
would be unsafe, and says everything that is wrong at once.

Refused: a PostgreSQL URL that does not ask for TLS with the server's certificate checked
(``sslmode=verify-full``); a PostgreSQL server with ``fsync`` or ``synchronous_commit`` off (an
acknowledged write could be lost); the development key passphrase; no public ``https://``
origin (``LEXDESK_BASE_URL``); the demo's users, or an administrator who still has the demo's
password. The embedded SQLite database syncs every commit (``PRAGMA synchronous=FULL``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from lexdesk.bootstrap import App
from lexdesk.config import DEVELOPMENT_PASSPHRASE, Settings
from lexdesk.domain.agencies import Role
from lexdesk.domain.credentials import verify_password
from lexdesk.services.demo import DEMO_PASSWORD, demo_logins

#: What a server may say for each setting (the first is what to ask for), and why. A commit
#: acknowledged under ``remote_apply`` is flushed and applied on the standbys too, stronger than
#: ``on``; ``local`` and ``remote_write`` let a failover lose it, ``off`` a crash.
DURABLE = {
    "fsync": (("on",), "a crash could lose what was acknowledged"),
    "synchronous_commit": (("on", "remote_apply"), "an acknowledged commit could be lost"),
}


def problems(built: App) -> list[str]:
    """Everything that keeps this configuration from production; empty outside it."""
    settings = built.settings
    if settings.env != "production":
        return []
    found = configuration_problems(settings)
    if not any("LEXDESK_DATABASE_URL" in p for p in found):
        if built.engine.dialect.name == "postgresql":
            found += durability_problems(lambda name: _show(built.engine, name))
        found += account_problems(built)
    return found


def configuration_problems(settings: Settings) -> list[str]:
    found = []
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "postgresql" and url.query.get("sslmode") != "verify-full":
        found.append(
            "LEXDESK_DATABASE_URL must ask for TLS with the server's certificate checked "
            "(add ?sslmode=verify-full)"
        )
    if settings.key_passphrase == DEVELOPMENT_PASSPHRASE:
        found.append("set LEXDESK_KEY_PASSPHRASE to a secret of your own")
    if "base_url" not in settings.model_fields_set or not settings.base_url.startswith("https://"):
        found.append("set LEXDESK_BASE_URL to the desk's public https:// origin")
    return found


def durability_problems(setting: Callable[[str], str]) -> list[str]:
    """``setting``: the server's value of a setting (``SHOW name``)."""
    found = []
    for name, (wanted, why) in DURABLE.items():
        value = setting(name)
        if value not in wanted:
            found.append(f"PostgreSQL has {name}={value}: turn it {wanted[0]} ({why})")
    return found


def account_problems(built: App) -> list[str]:
    desk, found = built.desk, []
    if demo_logins(desk):
        found.append("the demo's users are in this database (lexdesk demo): serve one without them")
    with desk.uow() as uow:
        every = [u for a in uow.agencies.list() for u in uow.users.of_agency(a.id)]
        admins = [u for u in every if Role.ADMIN in u.roles and u.active]
        hashes = {u.username: uow.accounts.credentials(u.id) for u in admins}
    weak = sorted(
        name
        for name, creds in hashes.items()
        if creds is not None and verify_password(creds.password_hash, DEMO_PASSWORD)
    )
    if weak:
        found.append(f"administrator {weak[0]} has the demo's password: change it")
    return found


def _show(engine: Engine, name: str) -> str:
    with engine.connect() as db:
        return str(db.execute(text(f"SHOW {name}")).scalar_one())

"""TOTP seeds are sealed at rest (AES-256-GCM, the row's id as associated data), on both
databases: the raw SQLite files and a ``pg_dump`` hold no seed; a sealed seed moved to another
row does not open; the key rotates without downtime (the old key opens until ``rewrap`` has
sealed everything with the new one); a seed kept before sealing still works and is sealed by
``rewrap``."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from lexdesk import config
from lexdesk.adapters import key_ring, orm, sealing
from lexdesk.adapters.sealing import SealBroken
from lexdesk.bootstrap import App, build, data_sealer
from lexdesk.config import Settings
from lexdesk.services import accounts, agencies
from tests.databases import migrated_engine, postgres_database, sqlite_url

KEY_A, KEY_B = base64.b64encode(b"a" * 32).decode(), base64.b64encode(b"b" * 32).decode()
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        made = sqlite_url(tmp_path)
    else:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        made = postgres_database(worker, "_sealed")
    migrated_engine(made).dispose()
    return made


def desk(url: str, key: str | None = None, previous: str = "") -> App:
    return build(Settings(database_url=url, data_key=key, data_keys_previous=previous))


def enrol(built: App, username: str) -> str:
    with built.desk.uow() as uow:
        known = uow.agencies.get("doc") is not None
    if not known:
        agencies.register_agency(
            built.desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US", "us-ny-nyc-doc")
        )
    command = agencies.AddUser(username, "doc", username, ("officer",))
    return accounts.add_account(built.desk, command, PASSWORD)[1].totp_secret


def stored(built: App, username: str) -> str:
    u, c = orm.users, orm.credentials
    with built.engine.connect() as db:
        found = db.scalar(
            select(c.c.totp_secret).join(u, u.c.id == c.c.user_id).where(u.c.username == username)
        )
    return str(found)


def user_id(built: App, username: str) -> str:
    with built.engine.connect() as db:
        return str(db.scalar(select(orm.users.c.id).where(orm.users.c.username == username)))


def test_no_seed_is_in_the_database_files_or_a_dump(url: str) -> None:
    built = desk(url, KEY_A)
    seeds = [enrol(built, f"doc-user{n}") for n in range(3)]
    built.engine.dispose()
    if url.startswith("sqlite"):
        base = Path(str(make_url(url).database))
        raw = b"".join(p.read_bytes() for p in base.parent.glob(base.name + "*"))
    else:
        if shutil.which("pg_dump") is None:
            pytest.fail("pg_dump is needed to check a dump (Debian: postgresql-client)")
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        raw = subprocess.run(["pg_dump", plain], capture_output=True, check=True).stdout
    assert raw and b"credentials" in raw
    assert not [seed for seed in seeds if seed.encode() in raw]


def test_a_seed_moved_to_another_row_does_not_open(url: str) -> None:
    built = desk(url, KEY_A)
    enrol(built, "doc-alice")
    enrol(built, "doc-bob")
    table, taken, bob = orm.credentials, stored(built, "doc-alice"), user_id(built, "doc-bob")
    with built.engine.begin() as db:
        db.execute(update(table).where(table.c.user_id == bob).values(totp_secret=taken))
    with pytest.raises(SealBroken, match="does not open"), built.desk.uow() as uow:
        uow.accounts.credentials(bob)


def test_the_key_rotates_without_downtime(url: str) -> None:
    old = desk(url, KEY_A)
    seed = enrol(old, "doc-carol")
    assert key_ring.census(old.engine) == {data_sealer(old.settings).current: 1}
    during = desk(url, KEY_B, previous=KEY_A)  # the new key seals, the old one still opens
    assert _seed_of(during, "doc-carol") == seed
    assert key_ring.rewrap(during.engine, data_sealer(during.settings)) == 1
    assert key_ring.census(during.engine) == {data_sealer(during.settings).current: 1}
    after = desk(url, KEY_B)  # the old key is gone
    assert _signs_in(after, "doc-carol", seed)
    carol = user_id(after, "doc-carol")
    with pytest.raises(SealBroken, match="not in the ring"), desk(url, KEY_A).desk.uow() as uow:
        uow.accounts.credentials(carol)


def test_a_seed_kept_before_sealing_works_and_is_sealed_by_rewrap(url: str) -> None:
    built = desk(url, KEY_A)
    seed = enrol(built, "doc-dave")
    table, dave = orm.credentials, user_id(built, "doc-dave")
    with built.engine.begin() as db:  # as a database from before sealing holds it
        db.execute(update(table).where(table.c.user_id == dave).values(totp_secret=seed))
    assert key_ring.census(built.engine) == {key_ring.PLAIN: 1}
    assert key_ring.rewrap(built.engine, data_sealer(built.settings)) == 1
    assert seed not in stored(built, "doc-dave")
    assert _signs_in(built, "doc-dave", seed)


def test_a_data_key_must_be_32_bytes_and_development_keys_agree() -> None:
    with pytest.raises(ValueError, match="32 random bytes"):
        Settings(data_key="c2hvcnQ=")
    assert sealing.DEVELOPMENT_PASSPHRASE == config.DEVELOPMENT_PASSPHRASE
    assert data_sealer(Settings()).current == sealing.DEVELOPMENT.current


def _seed_of(built: App, username: str) -> str:
    whose = user_id(built, username)
    with built.desk.uow() as uow:
        found = uow.accounts.credentials(whose)
    assert found is not None
    return found.totp_secret


def _signs_in(built: App, username: str, seed: str) -> bool:
    ticket = accounts.begin_login(built.desk, username, PASSWORD, "192.0.2.50")
    code = pyotp.TOTP(seed).at(built.desk.clock.now())
    token, _ = accounts.complete_login(built.desk, ticket, code, "192.0.2.50")
    return bool(token)

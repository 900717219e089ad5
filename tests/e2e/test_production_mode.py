"""``LEXDESK_ENV=production``: ``lexdesk serve`` refuses an unsafe configuration with exit 2
and one line naming everything wrong; a safe one passes; a browser gets the Secure
``__Host-`` cookies whatever Host header a reverse proxy forwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.entrypoints import production
from lexdesk.entrypoints.app import create_app
from lexdesk.services import accounts, agencies
from tests.databases import migrated_engine, postgres_admin_url, sqlite_url

SAFE = {
    "LEXDESK_ENV": "production",
    "LEXDESK_KEY_PASSPHRASE": "a long secret of this deployment's own",
    "LEXDESK_BASE_URL": "https://desk.example.gov",
}


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lexdesk", "serve", "--port", "1"],
        env={k: v for k, v in os.environ.items() if not k.startswith("LEXDESK_")} | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def desk(tmp_path: Path, **settings: str) -> App:
    url = sqlite_url(tmp_path)
    migrated_engine(url).dispose()
    return build(Settings(database_url=url, **settings))  # type: ignore[arg-type]


def test_serve_refuses_the_development_defaults_in_one_line(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    env = {"LEXDESK_ENV": "production", "LEXDESK_DATABASE_URL": url}
    assert subprocess.run(  # the demo's users and password, too
        [sys.executable, "-m", "lexdesk", "demo"],
        env={**os.environ, "LEXDESK_DATABASE_URL": url},
        capture_output=True,
        check=False,
        timeout=300,
    ).returncode in (0, 2)
    refused = serve(env)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    line = refused.stderr
    assert line.startswith("lexdesk: LEXDESK_ENV=production refuses to serve: ")
    assert "LEXDESK_KEY_PASSPHRASE" in line and "LEXDESK_BASE_URL" in line
    assert "the demo's users are in this database" in line


def test_a_postgresql_url_must_check_the_servers_certificate() -> None:
    url = "postgresql+psycopg://lexdesk@db.example.gov/lexdesk"
    refused = serve(SAFE | {"LEXDESK_DATABASE_URL": url})
    assert refused.returncode == 2 and "sslmode=verify-full" in refused.stderr
    checked = Settings(database_url=url + "?sslmode=verify-full", **_safe())
    assert production.configuration_problems(checked) == []


def test_the_servers_durability_is_checked() -> None:
    pytest.importorskip("psycopg")
    if not os.environ.get("LEXDESK_TEST_POSTGRES_URL"):
        pytest.skip("LEXDESK_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    engine = create_engine(str(postgres_admin_url()))
    with engine.connect() as db:
        real = {n: str(db.execute(text(f"SHOW {n}")).scalar_one()) for n in production.DURABLE}
    engine.dispose()
    assert production.durability_problems(real.__getitem__) == []  # the test server is durable
    careless = {"fsync": "off", "synchronous_commit": "local"}
    said = production.durability_problems(careless.__getitem__)
    assert said == [
        "PostgreSQL has fsync=off: turn it on (a crash could lose what was acknowledged)",
        "PostgreSQL has synchronous_commit=local: turn it on (an acknowledged commit could be "
        "lost)",
    ]
    for stronger in ("on", "remote_apply"):  # as durable as on, or more
        assert (
            production.durability_problems({"fsync": "on", "synchronous_commit": stronger}.get)
            == []
        )
    for weaker in ("off", "remote_write"):
        said = production.durability_problems({"fsync": "on", "synchronous_commit": weaker}.get)
        assert said == [
            f"PostgreSQL has synchronous_commit={weaker}: turn it on (an acknowledged commit "
            "could be lost)"
        ]


def test_a_safe_configuration_passes_and_a_demo_password_does_not(tmp_path: Path) -> None:
    built = desk(tmp_path, **_safe())
    agencies.register_agency(
        built.desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US", "us-ny-nyc-doc")
    )
    admin = agencies.AddUser("doc-root", "doc", "Root", ("admin",))
    accounts.add_account(built.desk, admin, "a passphrase of its own")
    assert production.problems(built) == []
    weak = agencies.AddUser("doc-root2", "doc", "Root 2", ("admin",))
    accounts.add_account(built.desk, weak, "fictional desk 2020")
    assert production.problems(built) == [
        "administrator doc-root2 has the demo's password: change it"
    ]
    assert production.problems(desk(tmp_path / "dev")) == []  # outside production: nothing


def test_cookies_are_secure_by_configuration_not_by_the_host_header(tmp_path: Path) -> None:
    for env, name in (("development", "lexdesk-local-pre"), ("production", "__Host-lexdesk-pre")):
        built = desk(tmp_path / env, **(_safe() | {"env": env}))
        client = TestClient(create_app(built), base_url="http://127.0.0.1:8000")
        cookie = client.get("/login").headers["set-cookie"]
        assert cookie.startswith(f"{name}=")
        assert ("Secure" in cookie) == (env == "production")


def _safe() -> dict[str, str]:
    return {
        "env": "production",
        "key_passphrase": SAFE["LEXDESK_KEY_PASSPHRASE"],
        "base_url": SAFE["LEXDESK_BASE_URL"],
    }

"""``lexdesk init --app-login``: the deployment's application role on PostgreSQL, made by the
schema's owner; the desk then runs as that role, behind row-level security, and shows each
user what it showed before (docs/deployment.md, "Roles")."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.databases import postgres_admin_url, postgres_database
from tests.e2e.test_cli_backup import refused
from tests.e2e.test_worker_cli import lexdesk

PASSWORD = "a login role passphrase for the tests"


@pytest.fixture
def owner_and_role() -> Iterator[tuple[str, str]]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = postgres_database(worker, "_roles")
    database = make_url(url).database or ""
    role = f"{database}_web"[:63]
    admin = create_engine(postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as db:  # roles outlive databases: a killed run may have left it
        db.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    yield url, role
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        db.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


@pytest.mark.slow(seconds=90)
def test_the_desk_runs_as_its_login_role_and_shows_what_it_showed(
    owner_and_role: tuple[str, str],
) -> None:
    url, role = owner_and_role
    owner = {**os.environ, "LEXDESK_DATABASE_URL": url}
    made = lexdesk(owner, "init", "--app-login", role, "--app-password", PASSWORD, "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["app_login"] == {"role": role, "created": True}
    assert lexdesk(owner, "demo").returncode == 0
    again = lexdesk(
        {**owner, "LEXDESK_APP_DB_PASSWORD": PASSWORD}, "init", "--app-login", role, "--json"
    )
    assert json.loads(again.stdout)["app_login"] == {"role": role, "created": False}

    as_role = make_url(url).set(username=role, password=PASSWORD)
    app = {**os.environ, "LEXDESK_DATABASE_URL": as_role.render_as_string(hide_password=False)}
    for user in ("ice-nyc-officer", "nyc-doc-officer"):
        listed = [lexdesk(env, "cases", "list", "--as", user, "--json") for env in (owner, app)]
        assert listed[0].returncode == 0 and listed[1].returncode == 0, listed[1].stderr
        assert json.loads(listed[0].stdout) and listed[0].stdout == listed[1].stdout
    with create_engine(as_role).connect() as db:
        attributes = db.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        seen = db.execute(text("SELECT count(*) FROM persons")).scalar_one()
    assert tuple(attributes) == (False, False) and seen == 0  # no setting made: no row

    # The application's role cannot be the schema's owner.
    line = refused(lexdesk(app, "init"))
    assert "BYPASSRLS" in line

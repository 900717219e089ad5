"""The PostgreSQL roles a deployment runs with (docs/deployment.md, "Roles"): the schema's
owner, who migrates and purges, and a login role for the application, a member of
``lexdesk_app`` (migration 0002), which row-level security holds (migration 0023)."""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from lexdesk.domain.errors import InvalidInput

APP_ROLE = "lexdesk_app"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def owner_reads_past_the_wall(engine: Engine) -> bool:
    """Whether the role that owns the schema may read past row-level security, as the
    functions that look up a case's parties must (they run as the owner): a superuser or a
    role with BYPASSRLS. True on SQLite, which has no such wall."""
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect() as db:
        row = db.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
    return bool(row)


def ensure_login_role(engine: Engine, name: str, password: str) -> bool:
    """Create the login role ``name`` in ``lexdesk_app``, or give it ``password`` anew; True
    if it was created. Never a superuser, never BYPASSRLS, never the owner of anything."""
    if engine.dialect.name != "postgresql":
        raise InvalidInput("application roles are PostgreSQL's: SQLite has no roles")
    if not _ROLE_NAME.fullmatch(name):
        raise InvalidInput(
            f"role name {name!r}: use lower-case letters, digits and _ (at most 63), "
            "starting with a letter or _"
        )
    if len(password) < 16:
        raise InvalidInput("the application role's password: use at least 16 characters")
    with engine.begin() as db:
        exists = db.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :name"),
            {"name": name},
        ).scalar_one_or_none()
        if exists:
            raise InvalidInput(f"role {name} is a superuser or bypasses row-level security")
        # DDL takes no bound parameters, and the statement's text may reach an error message:
        # the name and password travel as transaction settings, quoted by the server (%I, %L).
        for setting, value in (("lexdesk.new_role", name), ("lexdesk.new_password", password)):
            db.execute(
                text("SELECT set_config(:setting, :value, true)"),
                {"setting": setting, "value": value},
            )
        verb = "ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L"
        if exists is None:
            verb = f"CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L IN ROLE {APP_ROLE}"
        db.execute(
            text(
                f"DO $$ BEGIN EXECUTE format('{verb}', current_setting('lexdesk.new_role'),"
                " current_setting('lexdesk.new_password')); END $$"
            )
        )
        db.execute(text("SELECT set_config('lexdesk.new_password', '', true)"))
        db.execute(text(f"GRANT {APP_ROLE} TO {name}"))  # name checked above
    return exists is None

"""``lexdesk init``, ``lexdesk db`` and ``lexdesk agencies``: set up and administer a desk."""

from __future__ import annotations

from typing import Annotated

import typer

from lexdesk.adapters import database_roles, migrations
from lexdesk.bootstrap import data_sealer
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly
from lexdesk.services import agencies, signing

db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
agencies_cli = typer.Typer(help="Agencies and their users.", no_args_is_help=True)


@fails_cleanly
def init(
    app_login: Annotated[
        str,
        typer.Option(
            help="PostgreSQL: also create (or give a new password to) this login role for "
            "the application, a member of lexdesk_app, which row-level security holds.",
        ),
    ] = "",
    app_password: Annotated[
        str,
        typer.Option(
            envvar="LEXDESK_APP_DB_PASSWORD",
            help="The login role's password (asked for if not given).",
            show_default=False,
        ),
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Create or upgrade the database to the current schema, and make the deployment's
    certificate authority if there is none (export it with `lexdesk keys export-cert`). Run it
    as the schema's owner; on PostgreSQL the owner must be a superuser or have BYPASSRLS."""
    built = app()
    if not database_roles.owner_reads_past_the_wall(built.engine):
        fail(
            "the database URL's role must own the schema as a superuser or with BYPASSRLS "
            "(row-level security's lookups run as the owner): see docs/deployment.md, Roles"
        )
    migrations.upgrade(built.engine, sealer=data_sealer(built.settings))
    where = built.engine.url.render_as_string(hide_password=True)
    schema = migrations.current_revision(built.engine)
    ca = signing.ensure_ca(built.desk) if built.desk.press else None
    login = None
    if app_login:
        password = app_password or typer.prompt(
            f"password for {app_login}", hide_input=True, confirmation_prompt=True
        )
        created = database_roles.ensure_login_role(built.engine, app_login, password)
        login = {"role": app_login, "created": created}
    if as_json:
        emit_json(
            {
                "database": where,
                "schema": schema,
                "ca": ca.fingerprint if ca else None,
                "app_login": login,
            }
        )
        return
    typer.echo(f"database ready at {where} (schema {schema})")
    if ca is not None:
        typer.echo(f"deployment CA {ca.fingerprint} (lexdesk keys export-cert writes it)")
    if login is not None:
        done = "created" if login["created"] else "given a new password"
        typer.echo(
            f"application role {app_login} {done}: serve with LEXDESK_DATABASE_URL naming it"
        )


@db_cli.command("upgrade")
@fails_cleanly
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    as_json: JsonOption = False,
) -> None:
    """Apply migrations up to REVISION."""
    migrations.upgrade(app().engine, revision, data_sealer(app().settings))
    _schema(migrations.current_revision(app().engine), as_json)


@db_cli.command("downgrade")
@fails_cleanly
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or base.")],
    as_json: JsonOption = False,
) -> None:
    """Revert migrations down to REVISION."""
    migrations.downgrade(app().engine, revision, data_sealer(app().settings))
    _schema(migrations.current_revision(app().engine), as_json)


def _schema(revision: str | None, as_json: bool) -> None:
    if as_json:
        emit_json({"schema": revision})
        return
    typer.echo(f"schema at {revision or 'base'}")


@db_cli.command("current")
@fails_cleanly
def current(as_json: JsonOption = False) -> None:
    """Print the schema revision of the database and of this lexdesk."""
    database = migrations.current_revision(app().engine)
    if as_json:
        emit_json({"database": database, "code": migrations.head_revision()})
        return
    typer.echo(f"database: {database or 'empty'}; code: {migrations.head_revision()}")


@agencies_cli.command("add")
@fails_cleanly
def add_agency(
    code: Annotated[str, typer.Argument(help="A short code, e.g. nyc-doc.")],
    name: Annotated[str, typer.Option(help="The agency's full name.")],
    kind: Annotated[str, typer.Option(help="immigration, custodial, prosecutor or court.")],
    jurisdiction: Annotated[str, typer.Option(help="e.g. US, US-NY-NYC.")],
    component: Annotated[
        str | None,
        typer.Option(help="For an immigration agency: ice (the default), cbp or other."),
    ] = None,
    rule_pack: Annotated[
        str | None, typer.Option(help="For a custodial agency, e.g. us-ny-nyc-doc.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register an agency."""
    agency = agencies.register_agency(
        app().desk,
        agencies.RegisterAgency(code, name, kind, jurisdiction, rule_pack, component=component),
    )
    if as_json:
        emit_json({"id": agency.id, "kind": agency.kind.value, "rule_pack": agency.rule_pack})
        return
    typer.echo(f"agency {agency.id} registered ({agency.kind.value})")


@agencies_cli.command("list")
@fails_cleanly
def list_agencies(as_json: JsonOption = False) -> None:
    """All agencies."""
    with app().desk.uow() as uow:
        found = uow.agencies.list()
    if as_json:
        emit_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "kind": a.kind.value,
                    "jurisdiction": a.jurisdiction,
                    "rule_pack": a.rule_pack,
                }
                for a in found
            ]
        )
        return
    for a in found:
        typer.echo(
            f"{a.id:<12} {a.kind.value:<11} {a.name}"
            + (f"  [{a.rule_pack}]" if a.rule_pack else "")
        )

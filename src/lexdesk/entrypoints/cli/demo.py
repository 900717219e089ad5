"""``lexdesk demo``: load the fictional story through the services, then return."""

from __future__ import annotations

import typer

from lexdesk.adapters import migrations
from lexdesk.bootstrap import data_sealer
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly
from lexdesk.services.demo import DEMO_PASSWORD, demo_logins, load_demo


@fails_cleanly
def demo(as_json: JsonOption = False) -> None:
    """Load the demo story (idempotent: a second run adds nothing)."""
    built = app()
    migrations.upgrade(built.engine, sealer=data_sealer(built.settings))
    report = load_demo(built.desk)
    if as_json:
        logins = [
            {"agency": login.agency, "username": login.username, "totp_secret": login.totp_secret}
            for login in demo_logins(built.desk)
        ]
        emit_json({"created": list(report.created), "password": DEMO_PASSWORD, "users": logins})
        return
    if report.created:
        typer.echo("loaded: " + "; ".join(report.created))
    else:
        typer.echo("the demo is already loaded: nothing added")
    typer.echo(f"demo users (password {DEMO_PASSWORD!r}; TOTP seed for an authenticator app):")
    agency = ""
    for login in demo_logins(built.desk):
        if login.agency != agency:
            agency = login.agency
            typer.echo(f"  {agency}")
        typer.echo(f"    {login.username:<22} TOTP {login.totp_secret}")
    typer.echo("from a shell, act as any of them with --as USERNAME; try: lexdesk cases list")

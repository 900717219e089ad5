"""``lexdesk demo``: load the fictional story through the services, then return."""

from __future__ import annotations

import typer

from lexdesk.adapters import migrations
from lexdesk.entrypoints.cli.common import app, fails_cleanly
from lexdesk.services.demo import AGENCIES, ROLES, load_demo


@fails_cleanly
def demo() -> None:
    """Load the demo story (idempotent: a second run adds nothing)."""
    built = app()
    migrations.upgrade(built.engine)
    report = load_demo(built.desk)
    if report.created:
        typer.echo("loaded: " + "; ".join(report.created))
    else:
        typer.echo("the demo is already loaded: nothing added")
    typer.echo("users (act with --as USERNAME):")
    for agency in AGENCIES:
        typer.echo(f"  {agency.name}: " + ", ".join(f"{agency.id}-{role}" for role in ROLES))
    typer.echo("try: lexdesk cases list")

"""The ``lexdesk`` command: mounts every command group."""

from __future__ import annotations

import sys

import typer

from lexdesk import __version__
from lexdesk.domain.text import invisible_in
from lexdesk.entrypoints.cli import (
    admin,
    audit,
    backup,
    cases,
    data_keys,
    demo,
    documents,
    instruments,
    notifications,
    persons,
    reports,
    rules,
    seed,
    serve,
    users,
    worker,
)
from lexdesk.entrypoints.cli.common import fail
from lexdesk.services import acting_agency
from lexdesk.services import audit as audit_trail

cli = typer.Typer(
    name="lexdesk",
    help="lexdesk: the desk for the legal process between agencies about people in custody.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@cli.callback()
def _on_the_command_line(context: typer.Context) -> None:
    # Every entry a command writes says it came in by the command line; and no argument holds
    # an invisible or control character (domain/text.py), as no API field or form field does.
    audit_trail.open_channel("cli", f"lexdesk {__version__}")
    # The command acts for the agency of the user ``--as`` names, once that is known; the
    # scope ends with the command (a test runs many commands in one process).
    context.with_resource(acting_agency.scope())
    for place, argument in enumerate(sys.argv[1:], start=1):
        wrong = invisible_in(argument, lines=True)
        if wrong:
            fail(f"argument {place} {wrong}")


cli.command("init")(admin.init)
cli.command("demo")(demo.demo)
cli.command("serve")(serve.serve)
cli.command("worker")(worker.worker)
cli.command("backup")(backup.backup)
cli.command("restore")(backup.restore_command)
cli.add_typer(admin.db_cli, name="db")
cli.add_typer(admin.agencies_cli, name="agencies")
cli.add_typer(cases.cli, name="cases")
cli.add_typer(instruments.cli, name="instruments")
cli.add_typer(persons.cli, name="persons")
cli.add_typer(rules.app, name="rules")
cli.add_typer(reports.cli, name="reports")
cli.add_typer(users.cli, name="users")
cli.add_typer(audit.cli, name="audit")
cli.add_typer(worker.outbox_cli, name="outbox")
cli.add_typer(notifications.cli, name="notifications")
cli.add_typer(notifications.webhooks_cli, name="webhooks")
cli.add_typer(documents.cli, name="documents")
cli.add_typer(documents.keys_cli, name="keys")
cli.add_typer(documents.attachments_cli, name="attachments")
cli.add_typer(documents.service_cli, name="service")
cli.add_typer(seed.cli, name="seed")
cli.add_typer(data_keys.cli, name="data-keys")


def run() -> None:
    cli()

"""``lexdesk cases``: the chain of instruments about one person."""

from __future__ import annotations

from typing import Annotated

import typer

from lexdesk.domain.errors import NotFound
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly
from lexdesk.entrypoints.cli.views import describe_case, show_case
from lexdesk.queries.lists import cases
from lexdesk.services import accounts, disclosures, views

cli = typer.Typer(help="List and show cases.", no_args_is_help=True)


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Read as this user's agency may see it (audited); without it, the operator "
        "reads as the agency that holds the person.",
    ),
]


@cli.command("list")
@fails_cleanly
def list_cases(
    agency: Annotated[
        str | None, typer.Option(help="Only cases this agency takes part in.")
    ] = None,
    actor: AsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cases, newest first; each as the agency it is listed for may see it."""
    built = app()
    if actor:
        agency = accounts.principal_at_command_line(built.desk, actor).agency_id
    with built.engine.connect() as db:
        rows = cases(db, built.sealer, agency_id=agency)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo("no cases")
    for row in rows:
        latest = f"{row.latest_kind} {row.latest_status}" if row.latest_kind else "empty"
        typer.echo(
            f"{row.id}  {row.person_name:<22} {row.requesting_agency} -> {row.custodial_agency}"
            f"  {row.status:<6} {row.instruments} instrument(s), latest: {latest}"
        )


@cli.command("show")
@fails_cleanly
def show_one(case_id: str, actor: AsOption = None, as_json: JsonOption = False) -> None:
    """One case: its instruments in order, with due dates and every event."""
    built = app()
    if actor:
        principal = accounts.principal_at_command_line(built.desk, actor)
        view = disclosures.visible_case(built.desk, principal, case_id, "cli")
    else:
        with built.desk.uow() as uow:
            case = uow.cases.get(case_id)
            if case is None:
                raise NotFound("case", case_id)
            view = views.case_view(uow, case.custodial_agency_id, case)
    if as_json:
        emit_json(describe_case(view))
    else:
        show_case(view)

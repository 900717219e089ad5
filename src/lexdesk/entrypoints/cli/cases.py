"""``lexdesk cases``: the chain of instruments about one person."""

from __future__ import annotations

from typing import Annotated

import typer

from lexdesk.domain.errors import NotFound
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly
from lexdesk.entrypoints.cli.instruments import describe
from lexdesk.queries.lists import case_events, cases

cli = typer.Typer(help="List and show cases.", no_args_is_help=True)


@cli.command("list")
@fails_cleanly
def list_cases(
    agency: Annotated[
        str | None, typer.Option(help="Only cases this agency takes part in.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Cases, newest first."""
    with app().engine.connect() as db:
        rows = cases(db, agency_id=agency)
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
def show_case(case_id: str, as_json: JsonOption = False) -> None:
    """One case: its instruments in order, with due dates and every event."""
    desk = app().desk
    with desk.uow() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound("case", case_id)
        events = case_events(uow.connection, case_id)  # type: ignore[attr-defined]
    if as_json:
        emit_json(
            {
                "id": case.id,
                "requesting_agency": case.requesting_agency_id,
                "custodial_agency": case.custodial_agency_id,
                "person_id": case.person_id,
                "status": case.status.value,
                "opened_at": case.opened_at,
                "instruments": [describe(i) for i in case.instruments],
                "events": events,
            }
        )
        return
    parties = f"{case.requesting_agency_id} -> {case.custodial_agency_id}"
    typer.echo(f"case {case.id} ({case.status.value}): {parties}")
    for instrument in case.instruments:
        due = f"  due {instrument.due_at:%Y-%m-%d %H:%M}Z" if instrument.due_at else ""
        typer.echo(f"  {instrument.id}  {instrument.kind.value:<24} {instrument.status.value}{due}")
        if instrument.due:
            typer.echo(f"      {instrument.due.explain()}")
        for event in (e for e in events if e["instrument_id"] == instrument.id):
            typer.echo(
                f"      {event['at'][:16]}  {event['transition']:<11} {event['from'] or '-'} -> "
                f"{event['to']}  by {event['actor']}  {event['reason']}"
            )

"""``lexdesk seed``: synthetic records for benchmarks, added to the configured database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine

from lexdesk.adapters import migrations
from lexdesk.adapters.seeding import NationalPlan, SeedReport, seed_national
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly

cli = typer.Typer(help="Synthetic records for benchmarks.", no_args_is_help=True)


@cli.command("national")
@fails_cleanly
def national(
    instruments: Annotated[
        int, typer.Option(help="How many instruments (requests and the rungs above them).")
    ] = 100_000,
    events: Annotated[
        int | None,
        typer.Option(
            help="About how many events in all: more than the chains imply (some three per"
            " instrument) are moved release dates, as a national record has over time."
        ),
    ] = None,
    agencies: Annotated[
        int,
        typer.Option(help="How many agencies: jails, field offices, U.S. Attorneys, courts."),
    ] = 400,
    seed: Annotated[
        int | None, typer.Option(help="The same record for the same seed (ids and dates apart).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a national-size synthetic record: agencies, people in custody, their cases and
    instruments with every event, answer and release, as the desk would have written them.

    On PostgreSQL the rows go in by COPY, into the tables as they are (their indexes and
    foreign keys checked as for any insert); on SQLite by batched inserts, several times
    slower. People's records are sealed as the desk seals them (the data key of the
    configuration), and so are the rule engine's records of the answers, compressed first:
    most of the time goes to them."""
    plan = NationalPlan(instruments=instruments, events=events, agencies=agencies, seed=seed)
    plan.check()  # before the database is even opened: bad input costs nothing
    built = app()
    _require_current_schema(built.engine)
    with _progress(plan.instruments) as advance:
        report = seed_national(built.desk, plan, advance)
    if as_json:
        emit_json(report.to_json())
        return
    _print(report)


def _require_current_schema(engine: Engine) -> None:
    found, code = migrations.current_revision(engine), migrations.head_revision()
    if found != code:
        fail(
            f"the database is not migrated (schema {found or 'none'}, code {code}):"
            " run `lexdesk init` first"
        )


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error, when that is a terminal (standard output stays for
    the figures, or the JSON)."""
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("seeding instruments"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )
    with bar:
        task = bar.add_task("seed", total=total)
        yield lambda done: bar.update(task, completed=done)


def _print(report: SeedReport) -> None:
    figures = report.to_json()

    def listed(counts: dict[str, int]) -> str:
        return ", ".join(f"{name} {count:,}" for name, count in counts.items())

    typer.echo(
        f"seeded run {report.run} in {report.seconds:.1f} s: {report.rows:,} rows,"
        f" {report.rows_per_second:,.0f} rows/s"
    )
    typer.echo(
        f"  agencies        {figures['agencies']:,} ({listed(figures['agencies_by_kind'])}),"
        f" users {report.users:,}"
    )
    typer.echo(f"  persons         {report.persons:,}, cases {report.cases:,}")
    typer.echo(
        f"  instruments     {figures['instruments']:,} ({listed(figures['instruments_by_kind'])})"
    )
    typer.echo(
        f"  events          {figures['events']:,} ({listed(figures['events_by_transition'])})"
    )
    typer.echo(
        f"  determinations  {report.determinations:,}, escalations {report.escalations:,},"
        f" overrides {report.overrides:,}, releases {report.releases:,}"
    )

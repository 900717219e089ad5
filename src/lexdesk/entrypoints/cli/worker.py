"""``lexdesk worker``: the desk's clock; ``lexdesk outbox``: what it delivers, and what it gave
up on."""

from __future__ import annotations

import signal
import threading
from dataclasses import asdict
from typing import Annotated

import typer

from lexdesk.adapters.worker_lock import WorkerAlreadyRunning, run_loop, sole_worker, sweep_turn
from lexdesk.bootstrap import App, build_worker
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.notifications import Channel, MessageStatus
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly
from lexdesk.queries import outbox as queries
from lexdesk.services import outbox_admin
from lexdesk.services.worker import Worker


@fails_cleanly
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run one sweep and one delivery round, then exit.")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(help="Seconds between sweeps (default LEXDESK_SWEEP_INTERVAL, 60).", min=1),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sweep on a schedule (lapse what is overdue, remind of what is due) and deliver the
    outbox, until stopped (Ctrl-C or SIGTERM)."""
    built = app()
    the_worker = build_worker(built)
    if once:
        try:
            with_lock_once(built, the_worker, as_json)
        except WorkerAlreadyRunning as error:
            fail(str(error))
        return
    stop = threading.Event()
    for sign in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sign, lambda *_: stop.set())
    typer.echo(f"lexdesk worker {the_worker.name}: sweeping every {interval or 60:g} s", err=True)
    try:
        run_loop(
            built.engine,
            the_worker,
            interval=interval or built.settings.sweep_interval,
            stop=stop,
        )
    except WorkerAlreadyRunning as error:
        fail(str(error))


def with_lock_once(built: App, the_worker: Worker, as_json: bool) -> None:
    with sole_worker(built.engine):
        with sweep_turn(built.engine) as mine:
            swept = the_worker.sweep() if mine else None
        delivered = the_worker.deliver()
    if as_json:
        emit_json({"sweep": asdict(swept) if swept else None, "delivery": asdict(delivered)})
        return
    if swept:
        typer.echo(
            f"swept in {swept.seconds:.3f} s: {swept.lapsed} lapsed, {swept.reminders} reminder(s)"
        )
    else:
        typer.echo("another worker is sweeping: delivered only")
    typer.echo(
        f"delivered {sum(delivered.delivered.values())}, failed {sum(delivered.failed.values())}, "
        f"dead-lettered {sum(delivered.dead.values())} ({delivered.expanded} event(s) expanded)"
    )


outbox_cli = typer.Typer(help="The outbox: messages to deliver, delivered, and dead letters.")


@outbox_cli.command("list")
@fails_cleanly
def list_messages(
    status: Annotated[
        str | None,
        typer.Option(help="pending, delivered or dead (default: all)."),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="email or webhook.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """The newest messages, with their status, attempts and last error."""
    if status is not None and status not in {s.value for s in MessageStatus}:
        raise InvalidInput(f"unknown status {status!r}: use pending, delivered or dead")
    if channel is not None and channel not in {c.value for c in Channel}:
        raise InvalidInput(f"unknown channel {channel!r}: use email or webhook")
    with app().engine.connect() as db:
        rows = queries.messages(db, status=status, channel=channel, limit=limit)
    if as_json:
        emit_json([asdict(row) for row in rows])
        return
    typer.echo(f"{len(rows)} message(s)")
    for row in rows:
        error = f"  last error: {row.last_error}" if row.last_error else ""
        typer.echo(
            f"  {row.id}  {row.channel:<7} {row.status:<9} attempts {row.attempts}  "
            f"{row.agency_id}: {row.subject}{error}"
        )


@outbox_cli.command("retry")
@fails_cleanly
def retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Message ids (default: every dead letter).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Put dead letters back in the queue, due now, with their attempts counted afresh."""
    built = app()
    if not ids:
        with built.engine.connect() as db:
            ids = [row.id for row in queries.messages(db, status="dead", limit=10_000)]
    count = outbox_admin.redrive(built.desk, ids, built.desk.operator)
    if as_json:
        emit_json({"redriven": count})
        return
    typer.echo(f"{count} message(s) back in the queue")

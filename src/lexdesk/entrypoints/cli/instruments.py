"""``lexdesk instruments``: walk an instrument along the ladder from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lexdesk.domain.instruments import Instrument
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.cli.common import (
    ActorOption,
    JsonOption,
    app,
    emit_json,
    fails_cleanly,
    parse_moment,
    read_upload,
)
from lexdesk.entrypoints.cli.views import describe, show
from lexdesk.queries.lists import open_instruments, overdue_instrument_ids, overrides
from lexdesk.services import accounts, disclosures, paper
from lexdesk.services import instruments as verbs
from lexdesk.services.authorization import authorize

cli = typer.Typer(
    help="Issue and answer instruments; escalate them along the ladder.", no_args_is_help=True
)

ReasonOption = Annotated[str, typer.Option("--reason", help="Why: kept with the event forever.")]
VersionOption = Annotated[
    int | None,
    typer.Option("--if-version", help="Refuse if the instrument moved past this version."),
]


def answer(actor: str, instrument: Instrument, as_json: bool) -> None:
    """Print the instrument after a change, as the acting user's agency may see it."""
    built = app()
    principal = accounts.principal_at_command_line(built.desk, actor)
    view = disclosures.seen_after_change(built.desk, principal, instrument.id)
    if as_json:
        emit_json(describe(view))
    else:
        show(view)


@cli.command("issue")
@fails_cleanly
def issue(
    actor: ActorOption,
    kind: Annotated[
        str,
        typer.Option(help="detainer, notification_request, transfer_request, information_request"),
    ],
    to: Annotated[str, typer.Option("--to", help="The custodial agency addressed.")],
    person: Annotated[
        str, typer.Option(help="Person id, or scheme:value such as nysid:12345678A.")
    ],
    action: Annotated[
        list[str],
        typer.Option("--action", help="hold, notify_release, transfer, disclose:<field>; repeat."),
    ],
    warrant: Annotated[str, typer.Option(help="none, administrative or judicial.")] = "none",
    reference: Annotated[str, typer.Option(help="The form or file number.")] = "",
    reason: ReasonOption = "",
    as_json: JsonOption = False,
) -> None:
    """File a request about a person held by a custodial agency (opens the case)."""
    command = verbs.IssueInstrument(
        actor, kind, to, person, tuple(action), warrant, None, reference, reason
    )
    answer(actor, verbs.issue_instrument(app().desk, command), as_json)


@cli.command("record-paper")
@fails_cleanly
def record_paper(
    actor: ActorOption,
    kind: Annotated[
        str,
        typer.Option(
            help="detainer, notification_request, transfer_request, information_request, "
            "administrative_subpoena or court_order"
        ),
    ],
    issuer: Annotated[str, typer.Option("--from", help="The agency that issued the paper.")],
    person: Annotated[
        str, typer.Option(help="Person id, or scheme:value such as nysid:12345678A.")
    ],
    action: Annotated[
        list[str],
        typer.Option("--action", help="What the paper demands: hold, disclose:<field>...; repeat."),
    ],
    issued: Annotated[str, typer.Option("--issued", help="The paper's date (ISO with zone).")],
    received: Annotated[
        str, typer.Option("--received", help="When it was received (ISO with zone).")
    ],
    scan: Annotated[Path, typer.Option("--scan", help="The scan: PDF, PNG, JPEG or TIFF.")],
    method: Annotated[
        str, typer.Option("--method", help="How it came: in_person, mail, email or portal.")
    ] = "in_person",
    due: Annotated[
        str | None,
        typer.Option("--due", help="The return or compliance date on the paper (ISO with zone)."),
    ] = None,
    produce_to: Annotated[
        str, typer.Option("--produce-to", help="For a court order: whom the records go to.")
    ] = "",
    warrant: Annotated[str, typer.Option(help="none, administrative or judicial.")] = "none",
    reference: Annotated[str, typer.Option(help="The form, file or docket number.")] = "",
    reason: ReasonOption = "",
    as_json: JsonOption = False,
) -> None:
    """Record an instrument served on paper by an agency that does not use the desk (the
    custodian); its issuer's copy is marked until the issuer confirms it."""
    data = read_upload(scan)
    command = paper.RecordPaper(
        actor, kind, issuer, person, tuple(action), parse_moment(issued, "--issued"),
        parse_moment(received, "--received"), method, scan.name, data, warrant,
        parse_moment(due, "--due") if due else None, produce_to, reference, reason,
    )  # fmt: skip
    answer(actor, paper.record_paper(app().desk, command), as_json)


@cli.command("confirm")
@fails_cleanly
def confirm(instrument_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """Confirm, as its issuer, an instrument the addressee recorded from paper."""
    made = paper.confirm_record(app().desk, paper.ConfirmRecord(actor, instrument_id))
    answer(actor, made, as_json)


@cli.command("acknowledge")
@fails_cleanly
def acknowledge(
    instrument_id: str,
    actor: ActorOption,
    reason: ReasonOption = "",
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Acknowledge receipt (the addressee)."""
    done = verbs.acknowledge(
        app().desk, verbs.Acknowledge(actor, instrument_id, if_version, reason)
    )
    answer(actor, done, as_json)


@cli.command("determine")
@fails_cleanly
def determine(
    instrument_id: str,
    actor: ActorOption,
    outcome: Annotated[
        str,
        typer.Option(
            help="complied, partially_complied, declined, contested; "
            "granted, granted_narrowed, denied for a petition."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why, citing the rule that decided.")],
    release: Annotated[
        list[str] | None,
        typer.Option(
            "--release", help="A field released (repeat); for a petition, the fields ordered."
        ),
    ] = None,
    perform: Annotated[
        list[str] | None,
        typer.Option(
            "--perform",
            help="For a partial answer: a requested action performed (repeat), e.g. "
            "notify_release; releases are named with --release.",
        ),
    ] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(
            "--override-reason",
            help="Why counsel departs from the evaluation (20 characters or more; the legal "
            "role only): needed for an answer that performs what the law prohibits or "
            "refuses what it requires.",
        ),
    ] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record the addressee's answer; it rests on the rule engine's evaluation."""
    command = verbs.Determine(
        actor, instrument_id, outcome, reason, tuple(release or ()), if_version, "cli",
        tuple(perform or ()), override_reason,
    )  # fmt: skip
    answer(actor, verbs.determine(app().desk, command), as_json)


@cli.command("escalate")
@fails_cleanly
def escalate(
    instrument_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    to: Annotated[
        str | None,
        typer.Option("--to", help="The U.S. Attorney (for a referral) or court (for a petition)."),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", help="What the next instrument asks; default: carried over."),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            help="Return or compliance date (ISO with zone), where the next kind needs one.",
        ),
    ] = None,
    reference: Annotated[str, typer.Option(help="The form, file or docket number.")] = "",
    produce_to: Annotated[
        list[str] | None,
        typer.Option(
            "--produce-to",
            help="For a court order: an agency the records go to (repeat); default: the "
            "agency whose subpoena it enforces.",
        ),
    ] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take an unanswered, refused or accepted instrument to the next rung."""
    when = parse_moment(due, "--due") if due else None
    command = verbs.Escalate(
        actor, instrument_id, reason, to, tuple(action or ()), when, reference, if_version,
        "cli", tuple(produce_to or ()),
    )  # fmt: skip
    answer(actor, verbs.escalate(app().desk, command), as_json)


@cli.command("withdraw")
@fails_cleanly
def withdraw(
    instrument_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw an instrument (its issuer)."""
    done = verbs.withdraw(app().desk, verbs.Withdraw(actor, instrument_id, reason, if_version))
    answer(actor, done, as_json)


@cli.command("show")
@fails_cleanly
def show_instrument(instrument_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """One instrument as the user's agency may see it (the read is audited)."""
    built = app()
    principal = accounts.principal_at_command_line(built.desk, actor)
    view = disclosures.visible_instrument(built.desk, principal, instrument_id, "cli")
    if as_json:
        emit_json(describe(view))
    else:
        show(view)


@cli.command("inbox")
@fails_cleanly
def inbox(
    agency: Annotated[str, typer.Option(help="The addressee agency.")], as_json: JsonOption = False
) -> None:
    """Open instruments addressed to an agency, soonest due first."""
    with app().engine.connect() as db:
        rows = open_instruments(db, agency)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    for row in rows:
        due = f"{row.due_at:%Y-%m-%d %H:%M}Z" if row.due_at else "no due date"
        typer.echo(f"{row.id}  {row.kind:<24} {row.status:<13} {due}  from {row.issuer}")


@cli.command("overrides")
@fails_cleanly
def list_overrides(actor: ActorOption, as_json: JsonOption = False) -> None:
    """Your agency's answers that overrode the rule engine's evaluation, newest first."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    authorize(reader, Permission.INSTRUMENT_READ)
    with built.engine.connect() as db:
        rows = overrides(db, reader.agency_id)
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    typer.echo(f"{len(rows)} override(s)")
    for row in rows:
        typer.echo(f"  {row.instrument_id}  {row.kind}  {row.outcome} by {row.by}: {row.reason}")


@cli.command("sweep")
@fails_cleanly
def sweep(as_json: JsonOption = False) -> None:
    """Mark every open instrument whose due date has passed as lapsed (safe to run repeatedly)."""
    built = app()
    with built.engine.connect() as db:
        overdue = overdue_instrument_ids(db, built.desk.clock.now())
    lapsed = verbs.lapse_overdue(built.desk, overdue)
    if as_json:
        emit_json([{"id": i.id, "kind": i.kind.value, "status": i.status.value} for i in lapsed])
        return
    typer.echo(f"{len(lapsed)} instrument(s) lapsed")
    for instrument in lapsed:
        typer.echo(
            f"  {instrument.id}  {instrument.kind.value}  was due {instrument.due_at:%Y-%m-%d}"
        )

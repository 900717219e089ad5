"""``lexdesk persons``: a custodial agency's people: list, show, book, release, transfer, move
the expected release, and import the jail roster from CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.persons import Charge, Person
from lexdesk.entrypoints.cli.common import (
    ActorOption,
    JsonOption,
    app,
    emit_json,
    fail,
    fails_cleanly,
    parse_moment,
)
from lexdesk.queries.persons import people_of
from lexdesk.services import accounts, audit, disclosures, persons, roster

cli = typer.Typer(
    help="A custodial agency's people: book, release, transfer, import the roster.",
    no_args_is_help=True,
)
ReasonOption = Annotated[str, typer.Option("--reason", help="Why: kept on record.")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When it happened (ISO with zone); default now.")
]


def describe(person: Person) -> dict[str, Any]:
    custody = person.current_custody() or (person.custodies[-1] if person.custodies else None)
    return {
        "id": person.id,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "date_of_birth": person.date_of_birth,
        "identifiers": {i.scheme.value: i.value for i in person.identifiers},
        "custody": None
        if custody is None
        else {
            "id": custody.id,
            "status": custody.status.value,
            "booked_at": _utc(custody.booked_at),
            "expected_release_at": _utc(custody.expected_release_at),
            "left_at": _utc(custody.left_at),
            "destination": custody.destination,
        },
        "stays": len(person.custodies),
    }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


def _show(person: Person, as_json: bool) -> None:
    if as_json:
        emit_json(describe(person))
        return
    shown = describe(person)
    custody = shown["custody"] or {}
    ids = ", ".join(f"{k}:{v}" for k, v in shown["identifiers"].items())
    typer.echo(f"{person.id}  {person.display_name}  {ids}")
    if custody:
        release = custody.get("expected_release_at")
        typer.echo(f"  {custody['status']}; expected release {release or 'not known'}")


@cli.command("list")
@fails_cleanly
def list_people(
    actor: ActorOption,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 200,
    as_json: JsonOption = False,
) -> None:
    """The people your agency holds or held, newest records first (the read is audited)."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    if reader.agency_kind.value != "custodial":
        fail(f"{reader.agency_id} is not a custodial agency: it holds no people")
    with built.engine.connect() as db:
        rows = people_of(db, built.sealer, reader.agency_id, limit=min(max(limit, 1), 10_000))
    if rows:
        audit.record_read(
            built.desk, actor=built.desk.operator or actor, agency=reader.agency_id,
            object_type="person_list", object_id="persons", source="cli",
            detail={"on_behalf_of": actor, "count": len(rows)},
        )  # fmt: skip
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    for row in rows:
        typer.echo(f"{row.id}  {row.name:<28} {row.status:<11} release {row.expected_release}")


@cli.command("show")
@fails_cleanly
def show(person_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """One of your agency's people in full (the read is audited)."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    _show(disclosures.own_person(built.desk, reader, person_id, "cli"), as_json)


@cli.command("book")
@fails_cleanly
def book(
    actor: ActorOption,
    family_name: Annotated[str, typer.Option(help="Family name.")],
    given_name: Annotated[str, typer.Option(help="Given name.")],
    nysid: Annotated[str | None, typer.Option(help="New York State ID.")] = None,
    booking_number: Annotated[str | None, typer.Option(help="Your booking number.")] = None,
    arrested_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")] = None,
    booked_at: AtOption = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Expected release (ISO with zone).")
    ] = None,
    charge: Annotated[str | None, typer.Option(help="Offense code, e.g. 'NY PL 155.30'.")] = None,
    charge_class: Annotated[str, typer.Option(help="The charge's class.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Book a person in: a new record, or a new stay on your agency's record of them."""
    built = app()
    now = built.desk.clock.now()
    when = parse_moment(booked_at, "--at") if booked_at else now
    arrested = _date(arrested_on) if arrested_on else when.date()
    identifiers = {k: v for k, v in (("nysid", nysid), ("booking_number", booking_number)) if v}
    if not identifiers:
        fail("give at least one identifier: --nysid or --booking-number")
    command = persons.BookPerson(
        actor=actor,
        family_name=family_name,
        given_name=given_name,
        arrested_on=arrested,
        booked_at=when,
        expected_release_at=parse_moment(release, "--release") if release else None,
        identifiers=identifiers,
        charges=(Charge(charge, charge_class, arrested),) if charge else (),
    )
    _show(persons.book_person(built.desk, command), as_json)


@cli.command("release")
@fails_cleanly
def release(
    person_id: str, actor: ActorOption, reason: ReasonOption, at: AtOption = None,
    as_json: JsonOption = False,
) -> None:  # fmt: skip
    """The person leaves your custody, free; open requests that ran from it end (moot)."""
    moment = parse_moment(at, "--at") if at else None
    command = persons.ReleasePerson(actor, person_id, reason, moment)
    _show(persons.release_person(app().desk, command), as_json)


@cli.command("transfer")
@fails_cleanly
def transfer(
    person_id: str,
    actor: ActorOption,
    to: Annotated[str, typer.Option("--to", help="The custodial or immigration agency.")],
    reason: ReasonOption,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """The person leaves your custody for another agency's."""
    moment = parse_moment(at, "--at") if at else None
    command = persons.TransferPerson(actor, person_id, to, reason, moment)
    _show(persons.transfer_person(app().desk, command), as_json)


@cli.command("release-date")
@fails_cleanly
def release_date(
    person_id: str,
    actor: ActorOption,
    reason: ReasonOption,
    at: Annotated[
        str | None, typer.Option("--at", help="The new expected release (ISO with zone).")
    ] = None,
    unknown: Annotated[bool, typer.Option("--unknown", help="No release is expected.")] = False,
    as_json: JsonOption = False,
) -> None:
    """A new expected release; the clocks that run from it move."""
    if bool(at) == unknown:
        fail("give the new expected release with --at, or --unknown")
    moment = parse_moment(at, "--at") if at else None
    command = persons.SetExpectedRelease(actor, person_id, moment, reason)
    _show(persons.set_expected_release(app().desk, command), as_json)


@cli.command("import")
@fails_cleanly
def import_roster(
    file: Annotated[Path, typer.Argument(help="The roster, CSV with a header (docs/roster.md).")],
    actor: ActorOption,
    as_json: JsonOption = False,
) -> None:
    """Import the jail roster: each row booked, booked again, updated or unchanged; all rows
    or none: a rejected row refuses the roster (exit 2, each rejected line and why). Safe to
    run again."""
    if not file.is_file():
        fail(f"no file {file}: give the path of the roster CSV")
    built = app()
    with Progress(
        TextColumn("reading {task.description}"), BarColumn(), TextColumn("{task.completed} rows"),
        TimeElapsedColumn(), disable=as_json, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(file.name, total=None)
        try:
            report = roster.import_roster(
                built.desk, actor, _rows(file), progress=lambda n: bar.advance(task, n)
            )
        except roster.RosterRefused as refused:
            _refused(refused, as_json)
    if as_json:
        emit_json({"counts": report.counts, "rows": [vars(r) for r in report.rows]})
        return
    typer.echo(", ".join(f"{n} {outcome}" for outcome, n in report.counts.items()))


def _refused(refused: roster.RosterRefused, as_json: bool) -> NoReturn:
    """Each rejected line and why (the JSON document with ``--json``), then the one line."""
    lines = [{"line": row.line, "reason": row.reason} for row in refused.rejected]
    if as_json:
        emit_json({"applied": False, "detail": str(refused), "rejected": lines})
    else:
        for line in lines:
            typer.echo(f"line {line['line']}: {line['reason']}", err=True)
    fail(str(refused))


def _rows(file: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            roster.check_columns(reader.fieldnames or [])
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError:
        raise InvalidInput(f"{file} is not UTF-8 text: save the roster as UTF-8 CSV") from None
    except csv.Error as error:
        raise InvalidInput(f"{file} is not a readable CSV ({error})") from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{text!r} is not a date: write YYYY-MM-DD")

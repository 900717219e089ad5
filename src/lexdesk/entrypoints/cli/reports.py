"""``lexdesk reports``: the transparency reports (docs/adr/0019). ``list`` and ``compute`` are a
contract other programs depend on: ``list --json`` gives each definition's id, citation and
period kind; ``compute REPORT_ID --agency AGENCY --period PERIOD --json`` the figures; bad input
exits 2 with one line on stderr."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated, Any

import typer

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.periods import parse_period
from lexdesk.domain.reports.results import ComputedReport
from lexdesk.entrypoints.cli.common import ActorOption, JsonOption, app, emit_json, fails_cleanly
from lexdesk.queries.published_reports import published, published_reports
from lexdesk.queries.transparency import (
    RecordReports,
    agency_profile,
    compute_report,
    late_events,
    report_request,
    report_schedules,
)
from lexdesk.services import transparency

cli = typer.Typer(help="Transparency reports: list, compute and publish.", no_args_is_help=True)

AgencyOption = Annotated[str, typer.Option("--agency", help="The agency the report is for.")]
PeriodOption = Annotated[
    str,
    typer.Option("--period", help="2020 (calendar year), FY2020 (July 2019-June 2020), 2020-Q1."),
]


@cli.command("list")
@fails_cleanly
def list_reports(as_json: JsonOption = False) -> None:
    """The report definitions: id, version, citation, period kind and verification."""
    rows = [
        {
            "id": d.id,
            "version": d.version,
            "title": d.title,
            "citation": d.citation,
            "period_kind": d.period.value,
            "agency_kinds": list(d.agency_kinds),
            "rule_packs": list(d.rule_packs),
            "threshold": d.threshold,
            "verification": d.verification.status,
            "figures": len(d.figures),
        }
        for d in load_reports().latest()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['id']:<16} {row['period_kind']:<14} {row['citation']}")


def _compute(report_id: str, agency: str, period: str) -> ComputedReport:
    with app().engine.connect() as db:
        definition, profile, parsed = report_request(db, load_reports(), report_id, agency, period)
        return compute_report(db, definition, profile, parsed)


@cli.command("compute")
@fails_cleanly
def compute(
    report_id: Annotated[str, typer.Argument(metavar="REPORT_ID")],
    agency: AgencyOption,
    period: PeriodOption,
    as_json: JsonOption = False,
) -> None:
    """Compute a report's figures from the record, small counts withheld (nothing is stored)."""
    report = _compute(report_id, agency, period)
    if as_json:
        emit_json(report.to_json())
        return
    _print(report.to_json())


@cli.command("publish")
@fails_cleanly
def publish(
    report_id: Annotated[str, typer.Argument(metavar="REPORT_ID")],
    agency: AgencyOption,
    period: PeriodOption,
    actor: ActorOption,
    note: Annotated[
        str, typer.Option(help="What a correction changes (needed from the second edition).")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Publish a report as an administrator of the agency (audited; never changed after)."""
    report = _compute(report_id, agency, period)
    done = transparency.publish_report(
        app().desk, transparency.PublishReport(actor, report.to_json(), note, "cli")
    )
    if as_json:
        emit_json(done.to_json())
        return
    typer.echo(
        f"published {done.report_id} {done.period} for {done.agency_id}, edition {done.edition}"
        f" ({done.id}), digest {done.digest}"
    )


@cli.command("schedule")
@fails_cleanly
def schedule(
    report_id: Annotated[str, typer.Argument(metavar="REPORT_ID")],
    actor: ActorOption,
    after_days: Annotated[
        int | None,
        typer.Option(
            "--after-days",
            help="Publish each period this many days after it ends (0-365), as ACTOR.",
        ),
    ] = None,
    stop: Annotated[bool, typer.Option("--stop", help="Stop publishing it on a schedule.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Have the worker publish the report of ACTOR's agency each time a period closes."""
    if stop == (after_days is not None):
        raise InvalidInput("give either --after-days N or --stop")
    done = transparency.schedule_report(
        app().desk, transparency.ScheduleReport(actor, report_id, after_days, "cli")
    )
    if as_json:
        emit_json(asdict(done) if done else {"report_id": report_id, "scheduled": False})
        return
    if done is None:
        typer.echo(f"{report_id} is no longer published on a schedule")
    else:
        typer.echo(
            f"{report_id} of {done.agency_id}: each period is published {done.delay_days} "
            f"day(s) after it ends, as {done.scheduled_by}"
        )


@cli.command("schedules")
@fails_cleanly
def schedules(
    agency: Annotated[str | None, typer.Option(help="Only this agency's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The reports published on a schedule, and how the last attempt went."""
    rows = report_schedules(app().engine, agency)
    if as_json:
        emit_json([asdict(r) for r in rows])
        return
    if not rows:
        typer.echo("no report is published on a schedule")
    for r in rows:
        last = r.last_error or ("published or not due" if r.last_tried_at else "not tried yet")
        typer.echo(f"{r.agency_id:<10} {r.report_id:<16} +{r.delay_days} days  {last}")


@cli.command("tally")
@fails_cleanly
def tally(as_json: JsonOption = False) -> None:
    """Bring the reports' daily tallies up to the last event recorded (the worker keeps them
    up to date by itself; run this after a bulk load, while nothing else writes)."""
    built = app()
    reckoner = RecordReports(built.engine)
    started = time.perf_counter()
    added = reckoner.tally(built.desk.clock.now(), settled=False)
    seconds = time.perf_counter() - started
    if as_json:
        emit_json({"tallied_events": added, "seconds": round(seconds, 3)})
        return
    typer.echo(f"tallied {added:,} event(s) in {seconds:.1f} s")


@cli.command("published")
@fails_cleanly
def published_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The published reports, newest first."""
    with app().engine.connect() as db:
        rows = published_reports(db, agency)
    if as_json:
        emit_json([_summary(r.to_json()) for r in rows])
        return
    if not rows:
        typer.echo("no published reports")
    for r in rows:
        typer.echo(f"{r.id}  {r.report_id:<16} {r.agency_id:<10} {r.period:<8} ed. {r.edition}")


@cli.command("verify")
@fails_cleanly
def verify(
    published_id: Annotated[str, typer.Argument(metavar="PUBLISHED_ID")],
    as_json: JsonOption = False,
) -> None:
    """Recompute a published report as of its watermark (exit 1 unless the digest is the same),
    and say which figures and which events recorded since would change it today."""
    with app().engine.connect() as db:
        stored = published(db, published_id)
        definition = load_reports().get(stored.report_id, stored.report_version)
        profile = agency_profile(db, stored.agency_id)
        period = parse_period(stored.period, definition.period)
        again = compute_report(db, definition, profile, period, as_of=stored.watermark_event_id)
        now = compute_report(db, definition, profile, period)
        late = late_events(db, definition, profile, period, stored.watermark_event_id)
    before = {f["id"]: f["cells"] for f in stored.document["figures"]}
    changed = [f["id"] for f in now.to_json()["figures"] if before.get(f["id"]) != f["cells"]]
    result: dict[str, Any] = {
        "id": stored.id,
        "digest": stored.digest,
        "reproduced": again.digest == stored.digest,
        "current_digest": now.digest,
        "changed_figures": changed,
        "late_events": late,
    }
    if as_json:
        emit_json(result)
    else:
        verdict = "reproduced" if result["reproduced"] else "NOT reproduced"
        typer.echo(f"{stored.id}: {verdict} as of event {stored.watermark_event_id}")
        names = ", ".join(changed) or "none"
        typer.echo(
            f"{len(late)} event(s) recorded since fall in the period; changed today: {names}"
        )
    if not result["reproduced"]:
        raise typer.Exit(1)


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "figures"}


def _print(document: dict[str, Any]) -> None:
    typer.echo(f"{document['title']}")
    typer.echo(f"{document['citation']} - {document['agency']}, {document['period']['label']}")
    for figure in document["figures"]:
        typer.echo(f"  {figure['label']} ({figure['citation']})")
        if figure["not_in_record"]:
            typer.echo(f"    not in the record: {figure['not_in_record']}")
        for cell in figure["cells"]:
            by = ", ".join(f"{k}={v}" for k, v in cell["by"].items()) or "total"
            shown = "suppressed" if cell["suppressed"] else cell["value"]
            typer.echo(f"    {by}: {shown}")
    typer.echo(f"watermark event {document['watermark']['event_id']}, digest {document['digest']}")
    typer.echo(document["suppression"]["rule"])

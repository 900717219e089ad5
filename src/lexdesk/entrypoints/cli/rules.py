"""``lexdesk rules``: evaluate a request against a pack, list and show the packs, audit their
sources and the changes between versions, state a pack's hold limit, run their test vectors.
``evaluate`` is a contract other programs depend on: JSON in, JSON out, exit 0 with a
decision, 2 with one line on stderr for bad input or no rule in force, 3 on a conflict (the
JSON is still printed)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lexdesk.adapters.rule_packs import load_catalog, load_vectors
from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.rules import ConflictError, EvaluationRequest, RulePack, evaluate
from lexdesk.domain.rules.holds import hold_limit
from lexdesk.domain.rules.review import diff, sources
from lexdesk.domain.rules.vectors import run_vectors, uncovered

EXIT_INVALID = 2
EXIT_CONFLICT = 3

app = typer.Typer(help="Evaluate requests against the rule packs, and inspect and test them.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    typer.echo(f"lexdesk: {message}", err=True)
    raise typer.Exit(code)


def _print_json(document: object) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"cannot read {source}: {error.strerror}")
    except UnicodeDecodeError:
        _fail(f"{source} is not UTF-8 text: save the request as UTF-8 JSON")


@app.command("evaluate")
def evaluate_command(
    source: Annotated[str, typer.Argument(metavar="[FILE|-]", help="JSON; - is stdin.")] = "-",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for machines (the output is JSON always).")
    ] = True,
) -> None:
    """Decide each requested action of one JSON request and print the decision as JSON."""
    try:
        document = json.loads(_read(source))
    except json.JSONDecodeError as error:
        _fail(f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}")
    except RecursionError:
        _fail("invalid JSON: nested too deeply; a request is a few levels deep at most")
    try:
        evaluation = evaluate(load_catalog(), EvaluationRequest.from_json(document))
    except ConflictError as conflict:
        _print_json(conflict.evaluation.to_json())
        _fail(f"conflict: {conflict}", EXIT_CONFLICT)
    except LexdeskError as error:
        _fail(str(error))
    _print_json(evaluation.to_json())


@app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """List the packs: id, latest version, layers, number of rules and title."""
    catalog = load_catalog()
    if as_json:
        _print_json([_pack_json(pack) for pack in catalog])
        return
    for pack in catalog:
        layers = f" on {', '.join(pack.latest.layers)}" if pack.latest.layers else ""
        count = len(pack.latest.rules)
        title = pack.latest.title
        typer.echo(f"{pack.id:<16} {pack.version}{layers:<14} {count:>2} rules  {title}")


def _pack_json(pack: RulePack) -> dict[str, Any]:
    versions = [
        {
            "version": v.version,
            "title": v.title,
            "effective_from": v.effective_from.isoformat(),
            "effective_to": v.effective_to.isoformat() if v.effective_to else None,
            "rules": len(v.rules),
            "verified": sum(r.verification.status == "verified" for r in v.rules),
        }
        for v in pack.versions
    ]
    latest = pack.latest
    return {
        "pack": pack.id,
        "title": latest.title,
        "level": latest.level,
        "jurisdiction": latest.jurisdiction,
        "agency": latest.agency,
        "layers": list(latest.layers),
        "versions": versions,
        "rules": sum(v["rules"] for v in versions),
        "verified": sum(v["verified"] for v in versions),
        "vectors": len(load_vectors(pack.id)),
        "content_hash": pack.content_hash,
    }


@app.command("show")
def show_command(
    pack_id: Annotated[str, typer.Argument(metavar="PACK")], as_json: JsonOption = False
) -> None:
    """Show a pack's versions, rules (effect, scope, citation, verification) and tables."""
    try:
        pack = load_catalog().get(pack_id)
    except LexdeskError as error:
        _fail(str(error))
    if as_json:
        _print_json(_pack_json(pack) | {"rules_of": _rules_json(pack)})
        return
    for line in _describe(pack):
        typer.echo(line)


def _rules_json(pack: RulePack) -> list[dict[str, Any]]:
    return [
        {
            "version": version.version,
            "id": rule.id,
            "effect": rule.effect,
            "label": rule.label,
            "citation": rule.citation,
            "verification": rule.verification.status,
            "exception_to": list(rule.exception_to),
            "precedence": rule.precedence,
        }
        for version in pack.versions
        for rule in version.rules
    ]


def _describe(pack: RulePack) -> list[str]:
    lines = []
    for version in pack.versions:
        until = version.effective_to.isoformat() if version.effective_to else "now"
        lines += [
            f"{pack.id} {version.version}: {version.title}",
            f"  in force {version.effective_from.isoformat()} to {until}; "
            f"layers: {', '.join(version.layers) or 'none'}; {version.filename}",
        ]
        for rule in version.rules:
            extra = f" (exception to {', '.join(rule.exception_to)})" if rule.exception_to else ""
            floor = f" [{rule.precedence} over stacked packs]" if rule.precedence else ""
            lines += [
                f"  {rule.id}: {rule.effect}{extra}{floor} [{rule.verification.status}]",
                f"      {rule.label}",
                f"      {rule.citation}",
            ]
        for duty in version.duties:
            status = duty.verification.status
            lines.append(f"  duty {duty.id}: {duty.label} ({duty.citation}) [{status}]")
        for table in version.tables.values():
            confirmed = sum(e.verification.status == "verified" for e in table.entries)
            lines.append(
                f"  table {table.name}: {len(table.entries)} entries, "
                f"{confirmed} verified ({table.citation})"
            )
    for layer in pack.layers:
        stacked = ", ".join(
            f"{r.id} ({r.spec.effect}{', ' + r.spec.precedence if r.spec.precedence else ''})"
            for _, r in layer.own_rules()
        )
        lines.append(f"  beneath it, {layer.id}: {stacked}")
    lines.append(f"  content hash {pack.content_hash}")
    return lines


PackArgument = Annotated[str | None, typer.Argument(metavar="[PACK]", help="Default: all.")]


@app.command("sources")
def sources_command(pack_id: PackArgument = None, as_json: JsonOption = False) -> None:
    """Every rule, duty and hold limit of each version, with its verification and source."""
    try:
        catalog = load_catalog()
        packs = [catalog.get(pack_id)] if pack_id else list(catalog)
    except LexdeskError as error:
        _fail(str(error))
    versions = [entry for pack in packs for entry in sources(pack)]
    if as_json:
        _print_json(versions)
        return
    for entry in versions:
        typer.echo(f"{entry['pack']} {entry['version']}: {entry['title']}")
        for source in entry["sources"]:
            typer.echo(f"  source [{source['status']}] {source['title']}: {source['url']}")
        for item in entry["rules"]:
            check = item["verification"]
            read = (
                f" (read at {check['read_at']} on {check['read_on']})" if "read_at" in check else ""
            )
            typer.echo(f"  {item['id']} [{check['status']}] {item['citation']}{read}")
            typer.echo(f"      {check['source']}")
        for table in entry["tables"]:
            counts = f"{table['verified']} of {table['entries']} entries verified"
            typer.echo(f"  table {table['name']}: {counts}")


@app.command("diff")
def diff_command(
    pack_id: Annotated[str, typer.Argument(metavar="PACK")],
    first: Annotated[str, typer.Argument(metavar="V1", help="The earlier version.")],
    second: Annotated[str, typer.Argument(metavar="V2", help="The later version.")],
    as_json: JsonOption = False,
) -> None:
    """What changed from version V1 to V2 of a pack: rules and duties added, removed and
    changed (with their citations), table entries, the hold limit and the sources."""
    try:
        document = diff(load_catalog().get(pack_id), first, second)
    except LexdeskError as error:
        _fail(str(error))
    if as_json:
        _print_json(document)
        return
    typer.echo(f"{document['pack']}: {document['from']} -> {document['to']}")
    for group in ("rules", "duties"):
        for item in document[group]["added"]:
            typer.echo(f"  + {item['id']} ({item['effect']}) {item['citation']}: {item['label']}")
        for item in document[group]["removed"]:
            typer.echo(f"  - {item['id']} ({item['effect']}) {item['citation']}: {item['label']}")
        for item in document[group]["changed"]:
            typer.echo(f"  ~ {item['id']} {item['citation']}: {', '.join(item['changes'])}")
    for name, change in document["tables"].items():
        typer.echo(
            f"  table {name}: {len(change['added'])} added, {len(change['removed'])} removed"
        )
    if document["hold_limit"]:
        typer.echo(
            f"  hold limit: {document['hold_limit']['from']} -> {document['hold_limit']['to']}"
        )


@app.command("hold-limit")
def hold_limit_command(
    pack_id: Annotated[str, typer.Argument(metavar="PACK")],
    on: Annotated[str, typer.Option("--on", help="The date, YYYY-MM-DD. Default: today.")] = "",
    as_json: JsonOption = False,
) -> None:
    """How long a hold may last under a pack on a date, and the law that says so."""
    try:
        day = date.fromisoformat(on) if on else datetime.now().astimezone().date()
    except ValueError:
        _fail(f"--on must be a date written YYYY-MM-DD, not {on!r}")
    try:
        limit = hold_limit(load_catalog(), pack_id, day)
    except LexdeskError as error:
        _fail(str(error))
    if as_json:
        _print_json(limit.to_json())
        return
    counted = (
        "clock hours"
        if limit.counting == "clock_hours"
        else "hours, weekends and holidays excluded"
    )
    stated = f"{limit.pack} {limit.version}" + (" (inherited)" if limit.inherited else "")
    typer.echo(
        f"{limit.hours} {counted}: {limit.citation} [{limit.verification}], stated by {stated}"
    )


@app.command("test")
def run_vectors_command(pack_id: PackArgument = None, as_json: JsonOption = False) -> None:
    """Run the vectors beside the packs and check that every rule decides in one of them."""
    failures: list[dict[str, Any]] = []
    try:
        catalog = load_catalog()
        packs = [catalog.get(pack_id)] if pack_id else list(catalog)
        passed = 0
        for pack in packs:
            results = run_vectors(catalog, load_vectors(pack.id))
            for result in results:
                if result.passed:
                    passed += 1
                    continue
                failures.append(
                    {
                        "pack": pack.id,
                        "vector": result.vector.name,
                        "where": result.vector.where,
                        "problems": list(result.problems),
                    }
                )
            failures += [
                {"pack": pack.id, "rule": rule_id, "problems": ["decides in no vector"]}
                for rule_id in uncovered(pack, results)
            ]
    except LexdeskError as error:
        _fail(str(error))
    if as_json:
        _print_json({"passed": passed, "failed": len(failures), "failures": failures})
    else:
        for failure in failures:
            if "rule" in failure:
                typer.echo(f"FAIL {failure['pack']}: {failure['rule']} decides in no vector")
                continue
            typer.echo(f"FAIL {failure['pack']}: {failure['vector']} ({failure['where']})")
            for problem in failure["problems"]:
                typer.echo(f"     {problem}")
        typer.echo(f"{passed} passed, {len(failures)} failed")
    if failures:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

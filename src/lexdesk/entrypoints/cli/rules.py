"""``lexdesk rules``: evaluate a request against a pack, list and show the packs, run their
test vectors. ``evaluate`` is a contract other programs depend on: JSON in, JSON out, exit 0
with a decision, 2 with one line on stderr for bad input or no rule in force, 3 on a conflict
(the JSON is still printed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lexdesk.adapters.rule_packs import load_catalog, load_vectors
from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.rules import ConflictError, EvaluationRequest, RulePack, evaluate
from lexdesk.domain.rules.vectors import run_vectors, uncovered

EXIT_INVALID = 2
EXIT_CONFLICT = 3

app = typer.Typer(help="Evaluate requests against the rule packs, and inspect and test them.")


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    typer.echo(f"lexdesk: {message}", err=True)
    raise typer.Exit(code)


def _print_json(document: dict[str, Any]) -> None:
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
def list_command() -> None:
    """List the packs: id, latest version, layers, number of rules and title."""
    for pack in load_catalog():
        layers = f" on {', '.join(pack.latest.layers)}" if pack.latest.layers else ""
        count = len(pack.latest.rules)
        title = pack.latest.title
        typer.echo(f"{pack.id:<16} {pack.version}{layers:<14} {count:>2} rules  {title}")


@app.command("show")
def show_command(pack_id: Annotated[str, typer.Argument(metavar="PACK")]) -> None:
    """Show a pack's versions, rules (effect, scope, citation, verification) and tables."""
    try:
        pack = load_catalog().get(pack_id)
    except LexdeskError as error:
        _fail(str(error))
    for line in _describe(pack):
        typer.echo(line)


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


@app.command("test")
def run_vectors_command(pack_id: PackArgument = None) -> None:
    """Run the vectors beside the packs and check that every rule decides in one of them."""
    try:
        catalog = load_catalog()
        packs = [catalog.get(pack_id)] if pack_id else list(catalog)
        passed = failed = 0
        for pack in packs:
            results = run_vectors(catalog, load_vectors(pack.id))
            for result in results:
                if result.passed:
                    passed += 1
                    continue
                failed += 1
                typer.echo(f"FAIL {pack.id}: {result.vector.name} ({result.vector.where})")
                for problem in result.problems:
                    typer.echo(f"     {problem}")
            for rule_id in uncovered(pack, results):
                failed += 1
                typer.echo(f"FAIL {pack.id}: {rule_id} decides in no vector")
    except LexdeskError as error:
        _fail(str(error))
    typer.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

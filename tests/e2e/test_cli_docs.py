"""docs/cli.md is the ``--help`` of every command. Regenerate it with
``LEXDESK_WRITE_DOCS=1 pytest tests/e2e/test_cli_docs.py``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from typer.testing import CliRunner

from lexdesk.entrypoints.cli.main import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
HEADER = """# The lexdesk command line

Generated from `--help` by `tests/e2e/test_cli_docs.py`; a test fails when this page and the
commands disagree. Every command takes `LEXDESK_DATABASE_URL` from the environment. Exit status:
0 done, 2 bad input (one line on stderr says what and what to do), 3 a conflict with someone
else's change (or, for `rules evaluate`, two rules in conflict).
"""


def _paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    children = getattr(command, "commands", {})
    for name in sorted(children):
        paths += _paths(children[name], (*prefix, name))
    return paths


def render() -> str:
    runner = CliRunner()
    root = typer.main.get_command(cli)
    parts = [HEADER]
    for path in _paths(root):
        result = runner.invoke(
            cli, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
        )
        assert result.exit_code == 0, result.output
        text = "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())
        title = " ".join(("lexdesk", *path))
        parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def test_the_cli_reference_is_current() -> None:
    text = render()
    if os.environ.get("LEXDESK_WRITE_DOCS") == "1":
        DOC.write_text(text)
    assert DOC.read_text() == text, "docs/cli.md is stale: rerun with LEXDESK_WRITE_DOCS=1"

"""The command line does what the README says: every command but ``serve`` takes ``--json``,
keys are written outside the working directory, and each README command stands on its own
line (none of them a pipeline that would run commands nobody meant to run)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from lexdesk.entrypoints.cli.common import reset_app
from lexdesk.entrypoints.cli.main import cli
from tests.databases import sqlite_url
from tests.e2e.test_cli import Shell

README = Path(__file__).parents[2] / "README.md"
REQUEST = {
    "pack": "us-ny-nyc-doc",
    "as_of": "2020-01-17",
    "instrument": {"kind": "detainer", "warrant": "administrative", "actions": ["hold"]},
}


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    subs = getattr(command, "commands", None)
    if not subs:
        return [(path, command)]
    return [found for name, sub in subs.items() for found in _commands(sub, (*path, name))]


def test_every_command_but_serve_takes_json() -> None:
    lacking = [
        " ".join(path)
        for path, command in _commands(get_command(cli))
        if path != ("serve",)
        and not any("--json" in getattr(p, "opts", ()) for p in command.params)
    ]
    assert lacking == []


@pytest.fixture
def sh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shell:
    monkeypatch.setenv("LEXDESK_DATABASE_URL", sqlite_url(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    reset_app()
    return Shell()


def test_json_from_the_commands_that_lacked_it(sh: Shell, tmp_path: Path) -> None:
    assert sh.json("init")["schema"]
    assert sh.json("db", "current")["database"] == sh.json("db", "current")["code"]
    added = sh.json("agencies", "add", "doc", "--name", "DOC", "--kind", "custodial",
                    "--jurisdiction", "US-NY", "--rule-pack", "us-ny-nyc-doc")  # fmt: skip
    assert added == {"id": "doc", "kind": "custodial", "rule_pack": "us-ny-nyc-doc"}
    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST), encoding="utf-8")
    evaluated = json.loads(sh("rules", "evaluate", str(request), "--json"))
    assert evaluated == json.loads(sh("rules", "evaluate", str(request)))
    shown = sh.json("rules", "show", "us-ny-nyc-doc")
    assert shown["pack"] == "us-ny-nyc-doc" and shown["rules_of"][0]["citation"]
    tested = sh.json("rules", "test", "us-ny-nyc-doc")
    assert tested["failed"] == 0 and tested["passed"] > 0


def test_keygen_writes_the_key_outside_the_working_directory(sh: Shell, tmp_path: Path) -> None:
    sh("init")
    sh("agencies", "add", "ice", "--name", "ICE", "--kind", "immigration", "--jurisdiction", "US")
    made = sh.json("audit", "keygen")
    key = Path(made["private_key_file"])
    assert key == tmp_path / "config" / "lexdesk" / "keys" / "audit-signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert not list(Path.cwd().glob("*.key"))
    assert "exists" in sh("audit", "keygen", code=2)
    checkpoint = json.loads(sh("audit", "checkpoint"))  # the default key is found
    assert checkpoint["size"] >= 1


def test_the_readme_puts_each_command_on_its_own_line() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        for line in block.splitlines():
            command = line.split("#", 1)[0]
            assert command.count("lexdesk ") <= 1, line  # one command a line, no chains
            if "|" in command:  # a pipe feeds lexdesk data, never one command into another
                assert "lexdesk" not in command.split("|", 1)[0], line


def test_init_makes_the_deployment_ca_once(sh: Shell) -> None:
    first = sh.json("init")
    assert len(first["ca"]) >= 32
    assert sh.json("init")["ca"] == first["ca"]  # made once, then found
    assert f"deployment CA {first['ca']}" in sh("init")


def test_serve_refuses_to_listen_beyond_this_machine_with_the_development_passphrase(
    sh: Shell,
) -> None:
    said = sh("serve", "--host", "0.0.0.0", code=2)  # noqa: S104 - the refusal is the test
    assert "LEXDESK_KEY_PASSPHRASE" in said and said.count("\n") == 1

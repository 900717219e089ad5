"""``lexdesk users``: enabling, unlocking that says what is left, never the last administrator,
roles with a second administrator's approval, and passwords read without a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lexdesk.domain.errors import NotAuthenticated
from lexdesk.entrypoints.cli.common import app, reset_app
from lexdesk.services import accounts
from tests.databases import sqlite_url
from tests.e2e.test_cli import Shell

PASSWORD = "correct horse battery staple"


@pytest.fixture
def sh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shell:
    monkeypatch.setenv("LEXDESK_DATABASE_URL", sqlite_url(tmp_path))
    reset_app()
    shell = Shell()
    shell("init")
    shell("agencies", "add", "doc", "--name", "DOC", "--kind", "custodial",
          "--jurisdiction", "US-NY", "--rule-pack", "us-ny-nyc-doc")  # fmt: skip
    return shell


def lexdesk(*args: str, stdin: str | None, env_url: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a script runs it: standard input is a pipe, not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "lexdesk", *args],
        env={**os.environ, "LEXDESK_DATABASE_URL": env_url},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def add(sh: Shell, tmp_path: Path, username: str, *roles: str) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    role_args = [arg for role in roles for arg in ("--role", role)]
    sh("users", "add", username, "--agency", "doc", "--name", "Someone",
       *role_args, "--password-file", str(secret))  # fmt: skip


def test_users_add_reads_the_password_from_a_pipe_and_fails_in_one_line(
    sh: Shell, tmp_path: Path
) -> None:
    url = os.environ["LEXDESK_DATABASE_URL"]
    args = (
        "users",
        "add",
        "doc-clerk",
        "--agency",
        "doc",
        "--name",
        "A Clerk",
        "--role",
        "officer",
    )
    added = lexdesk(*args, stdin=PASSWORD + "\n", env_url=url)
    assert added.returncode == 0, added.stderr
    assert "user doc-clerk added to doc" in added.stdout and PASSWORD not in added.stdout
    empty = lexdesk(*args[:2], "doc-clerk2", *args[3:], stdin="", env_url=url)
    assert empty.returncode == 2
    assert empty.stderr.startswith("lexdesk: no password in standard input")
    assert len(empty.stderr.splitlines()) == 1 and "Warning" not in empty.stderr
    weak = lexdesk(*args[:2], "doc-clerk3", *args[3:], stdin="short\n", env_url=url)
    assert weak.returncode == 2 and len(weak.stderr.splitlines()) == 1
    missing = lexdesk(*args, "--password-file", str(tmp_path / "nothing"), stdin=None, env_url=url)
    assert missing.returncode == 2
    assert missing.stderr.startswith("lexdesk: cannot read the password file")


def test_disable_enable_and_unlock_say_what_the_account_can_do(sh: Shell, tmp_path: Path) -> None:
    add(sh, tmp_path, "doc-admin", "admin")
    add(sh, tmp_path, "doc-clerk", "officer")
    assert sh("users", "unlock", "doc-clerk", code=2) == (
        "lexdesk: user doc-clerk is not locked: nothing to unlock\n"
    )
    sh("users", "disable", "doc-clerk")
    assert "already disabled" in sh("users", "disable", "doc-clerk", code=2)
    assert sh("users", "enable", "doc-clerk") == "user doc-clerk enabled: it can sign in\n"
    assert sh.json("users", "disable", "doc-clerk")["active"] is False
    assert sh.json("users", "enable", "doc-clerk") == {
        "username": "doc-clerk",
        "active": True,
        "locked": False,
    }
    refused = sh("users", "disable", "doc-admin", code=2)
    assert refused == (
        "lexdesk: doc-admin is the last active administrator of doc: you cannot disable this"
        " account; make another administrator first\n"
    )


def test_unlock_of_a_disabled_account_says_it_stays_disabled(sh: Shell, tmp_path: Path) -> None:
    add(sh, tmp_path, "doc-clerk", "officer")
    for attempt in range(5):  # five wrong passwords, from five addresses, lock the account
        with pytest.raises(NotAuthenticated):
            accounts.begin_login(app().desk, "doc-clerk", "wrong password", f"192.0.2.{attempt}")
    sh("users", "disable", "doc-clerk")
    said = sh("users", "unlock", "doc-clerk")
    assert said == (
        "user doc-clerk unlocked, but the account is still disabled and cannot sign in:"
        " lexdesk users enable doc-clerk\n"
    )


def test_roles_change_and_grants_are_decided_from_a_shell(sh: Shell, tmp_path: Path) -> None:
    add(sh, tmp_path, "doc-clerk", "officer")
    changed = sh.json("users", "roles", "doc-clerk", "--role", "officer", "--role", "legal")
    assert changed["roles"] == ["legal", "officer"] and changed["pending"] is None  # the operator
    assert sh("users", "grants", "list", "--agency", "doc") == (
        "no role grant of doc awaits approval\n"
    )
    assert "already holds exactly these roles" in sh(
        "users", "roles", "doc-clerk", "--role", "officer", "--role", "legal", code=2
    )
    assert "no grant" not in sh("users", "grants", "approve", "rg-0000000000000000", code=2)
    assert sh.json("users", "grants", "list", "--agency", "doc") == []

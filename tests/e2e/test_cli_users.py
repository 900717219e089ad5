"""``lexdesk users``: enabling, unlocking that says what is left, never the last administrator,
roles with a second administrator's approval, passwords read without a terminal; enrolment
codes, temporary accounts, ``disable-inactive`` with an injected clock, and the review."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.domain.errors import NotAuthenticated
from lexdesk.entrypoints.cli import common
from lexdesk.entrypoints.cli.common import app, reset_app
from lexdesk.services import accounts
from tests.databases import sqlite_url
from tests.e2e.test_cli import Shell
from tests.fakes import FakeClock

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


def _clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> FakeClock:
    """The commands from here on run at ``moment`` (an injected clock, as the worker's)."""
    clock = FakeClock(moment)
    reset_app()
    monkeypatch.setattr(common, "_app", build(Settings(), clock=clock, operator="operator:test"))
    return clock


def test_users_add_makes_an_enrolment_code_and_a_temporary_account(
    sh: Shell, tmp_path: Path
) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    made = sh.json("users", "add", "doc-temp", "--agency", "doc", "--name", "A Temp", "--role",
                   "officer", "--password-file", str(secret), "--ends-on", later)  # fmt: skip
    assert made["ends_on"] == later and "totp_secret" not in made
    assert re.fullmatch(r"([A-Z2-7]{4}-){6}[A-Z2-7]{2}", made["enrolment_code"])
    said = sh("users", "add", "doc-clerk", "--agency", "doc", "--name", "A Clerk", "--role",
              "officer", "--password-file", str(secret))  # fmt: skip
    assert "one-time enrolment code" in said and "secret" not in said
    bad = sh("users", "add", "doc-x", "--agency", "doc", "--name", "X", "--role", "officer",
             "--password-file", str(secret), "--ends-on", "31/12/2027", code=2)  # fmt: skip
    assert bad.startswith("lexdesk: --ends-on '31/12/2027' is not a date: write it as YYYY-MM-DD")
    assert bad.count("\n") == 1
    past = sh("users", "add", "doc-y", "--agency", "doc", "--name", "Y", "--role", "officer",
              "--password-file", str(secret), "--ends-on", "2020-01-01", code=2)  # fmt: skip
    assert past.startswith("lexdesk: the end date 2020-01-01 has passed") and past.count("\n") == 1
    reset = sh.json("users", "reset-mfa", "doc-clerk")
    assert set(reset) == {"username", "enrolment_code", "enrolment_code_expires_at"}


def test_disable_inactive_and_the_review_at_the_command_line(
    sh: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(sh, tmp_path, "doc-admin", "admin")
    add(sh, tmp_path, "doc-clerk", "officer")
    secret = tmp_path / "password"
    soon = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    sh("users", "add", "doc-temp", "--agency", "doc", "--name", "Temp", "--role", "officer",
       "--password-file", str(secret), "--ends-on", soon)  # fmt: skip
    assert sh.json("users", "disable-inactive") == {
        "disabled": [], "kept": [], "removed": [], "tokens_revoked": []}  # fmt: skip
    _clock_at(monkeypatch, datetime.now(UTC) + timedelta(days=91))
    assert sh.json("users", "disable-inactive") == {
        "disabled": ["doc-clerk"], "kept": ["doc-admin"], "removed": ["doc-temp"],
        "tokens_revoked": []}  # fmt: skip
    assert sh("users", "disable-inactive") == (  # said each time, audited once
        "kept doc-admin: inactive 90 days, but the last active administrator of its agency\n"
    )
    review = {row["username"]: row for row in sh.json("users", "review", "--agency", "doc")}
    assert {name: row["status"] for name, row in review.items()} == {
        "doc-admin": "active", "doc-clerk": "disabled", "doc-temp": "removed"}  # fmt: skip
    assert review["doc-clerk"]["created_by"].startswith("operator:")
    assert review["doc-clerk"]["last_active_on"] is None and review["doc-temp"]["removed_at"]
    text = sh("users", "review")
    assert "doc-clerk" in text and "last sign-in never" in text
    assert sh("users", "review", "--agency", "nowhere", code=2).startswith("lexdesk: no agency")
    reused = sh("users", "add", "doc-temp", "--agency", "doc", "--name", "Again", "--role",
                "officer", "--password-file", str(secret), code=2)  # fmt: skip
    assert "not reused for 365 days" in reused and reused.count("\n") == 1

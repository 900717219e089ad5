"""The command line, end to end, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from typer.testing import CliRunner

from lexdesk.entrypoints.cli.common import reset_app
from lexdesk.entrypoints.cli.main import cli
from tests.databases import copy_database, postgres_database, sqlite_url


def business_day_ahead(days: int) -> str:
    """5 p.m. in New York on a business day about ``days`` from today: a return date must lie
    ahead, within two years, on a business day where the addressee is (the CLI runs on the
    real clock)."""
    day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=days)
    closed = holidays.country_holidays("US", subdiv="NY", years=(day.year, day.year + 1))
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    when = datetime.combine(day, time(17), tzinfo=ZoneInfo("America/New_York"))
    return when.isoformat(timespec="minutes")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo, loaded once per database; each test gets a copy of it."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("demo"))
    else:
        url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_demo")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEXDESK_DATABASE_URL", url)
        reset_app()
        Shell()("demo")
        reset_app()
    return url


@pytest.fixture
def database(demo_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = copy_database(demo_template, tmp_path)
    monkeypatch.setenv("LEXDESK_DATABASE_URL", url)
    reset_app()
    yield url
    reset_app()


class Shell:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0) -> str:
        result = self.runner.invoke(cli, list(args))
        assert result.exit_code == code, (
            f"{args}: exit {result.exit_code}\n{result.output}\n{result.stderr}"
        )
        return result.stdout if code == 0 else result.stderr

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def sh(database: str) -> Shell:
    return Shell()


def test_the_demo_loads_once(sh: Shell) -> None:
    cases = sh.json("cases", "list")
    assert len(cases) == 7  # the four of the 2020 story and three open today
    assert "nothing added" in sh("demo")
    assert len(sh.json("cases", "list")) == 7
    kinds = [i["kind"] for c in cases for i in sh.json("cases", "show", c["id"])["instruments"]]
    assert kinds.count("administrative_subpoena") == 4
    assert kinds.count("court_order") == 1


def test_the_whole_ladder_from_a_shell(sh: Shell) -> None:
    first = sh.json(
        "instruments",
        "issue",
        "--as",
        "ice-nyc-officer",
        "--kind",
        "information_request",
        "--to",
        "nyc-doc",
        "--person",
        "nysid:90000002M",
        "--action",
        "disclose:release_date",
    )
    assert first["due"]["rule"] == "business_days"
    i = first["id"]
    sh("instruments", "acknowledge", i, "--as", "nyc-doc-officer")
    sh(
        "instruments",
        "determine",
        i,
        "--as",
        "nyc-doc-legal",
        "--outcome",
        "declined",
        "--reason",
        "§ 9-131",
    )
    sub = sh.json(
        "instruments",
        "escalate",
        i,
        "--as",
        "ice-nyc-officer",
        "--reason",
        "declined",
        "--due",
        business_day_ahead(60),
    )
    assert sub["kind"] == "administrative_subpoena" and sub["parent_id"] == i
    sh("instruments", "acknowledge", sub["id"], "--as", "nyc-doc-legal")
    sh(
        "instruments",
        "determine",
        sub["id"],
        "--as",
        "nyc-doc-legal",
        "--outcome",
        "contested",
        "--reason",
        "We contest it.",
    )
    ref = sh.json(
        "instruments",
        "escalate",
        sub["id"],
        "--as",
        "ice-nyc-officer",
        "--reason",
        "refused",
        "--to",
        "usao-edny",
    )
    sh("instruments", "acknowledge", ref["id"], "--as", "usao-edny-legal")
    pet = sh.json(
        "instruments",
        "escalate",
        ref["id"],
        "--as",
        "usao-edny-legal",
        "--reason",
        "enforce",
        "--to",
        "edny",
    )
    sh("instruments", "acknowledge", pet["id"], "--as", "edny-officer")
    sh(
        "instruments",
        "determine",
        pet["id"],
        "--as",
        "edny-legal",
        "--outcome",
        "granted_narrowed",
        "--reason",
        "in part",
        "--release",
        "release_date",
    )
    order = sh.json(
        "instruments",
        "escalate",
        pet["id"],
        "--as",
        "edny-legal",
        "--reason",
        "comply",
        "--due",
        business_day_ahead(90),
    )
    sh("instruments", "acknowledge", order["id"], "--as", "nyc-doc-legal")
    done = sh.json(
        "instruments",
        "determine",
        order["id"],
        "--as",
        "nyc-doc-legal",
        "--outcome",
        "complied",
        "--reason",
        "Ordered.",
        "--release",
        "release_date",
    )
    assert done["status"] == "complied"
    assert (
        done["determination"]["evaluation"]["result"]["actions"]["disclose:release_date"]["status"]
        == "required"
    )
    case = sh.json("cases", "show", done["case_id"])
    # the person's open case already held the demo's chain: the new request joined it
    ids = [x["id"] for x in case["instruments"]]
    ours = case["instruments"][ids.index(i) :]
    assert [x["status"] for x in ours] == ["escalated"] * 4 + ["complied"]
    events = [e for x in ours for e in x["events"]]
    # five issued and acknowledged, four determined (the referral is accepted), four escalated
    assert len(events) == 18
    assert {e["transition"] for e in events} == {
        "issue",
        "acknowledge",
        "determine",
        "escalate",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (
                "instruments",
                "issue",
                "--as",
                "ice-nyc-officer",
                "--kind",
                "warrant",
                "--to",
                "nyc-doc",
                "--person",
                "nysid:90000002M",
                "--action",
                "hold",
            ),
            "unknown instrument kind 'warrant'",
        ),
        (
            (
                "instruments",
                "issue",
                "--as",
                "ice-nyc-officer",
                "--kind",
                "detainer",
                "--to",
                "nowhere",
                "--person",
                "nysid:90000002M",
                "--action",
                "hold",
            ),
            "no agency 'nowhere'",
        ),
        (
            (
                "instruments",
                "issue",
                "--as",
                "ice-nyc-officer",
                "--kind",
                "detainer",
                "--to",
                "nyc-doc",
                "--person",
                "nysid:90000002M",
                "--action",
                "disclose:shoe_size",
            ),
            "cannot disclose 'shoe_size'",
        ),
        (("cases", "show", "cas-0000000000000000"), "no case 'cas-0000000000000000'"),
        (
            ("instruments", "acknowledge", "ins-0000000000000000", "--as", "nyc-doc-officer"),
            "no instrument",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    sh: Shell, args: tuple[str, ...], message: str
) -> None:
    before = sh.json("cases", "list")
    error = sh(*args, code=2)
    assert message in error and error.count("\n") == 1 and error.startswith("lexdesk: ")
    assert sh.json("cases", "list") == before


def test_an_illegal_transition_and_a_past_date_are_refused(sh: Shell) -> None:
    i = sh.json(
        "instruments",
        "issue",
        "--as",
        "ice-nyc-officer",
        "--kind",
        "detainer",
        "--to",
        "nyc-doc",
        "--person",
        "nysid:90000004R",
        "--action",
        "hold",
        "--warrant",
        "administrative",
    )["id"]
    error = sh(
        "instruments",
        "determine",
        i,
        "--as",
        "nyc-doc-legal",
        "--outcome",
        "declined",
        "--reason",
        "x",
        code=2,
    )
    assert f"instrument {i} (detainer) is issued: 'determine' is not allowed from issued" in error
    sh("instruments", "acknowledge", i, "--as", "nyc-doc-officer")
    sh(
        "instruments",
        "determine",
        i,
        "--as",
        "nyc-doc-legal",
        "--outcome",
        "declined",
        "--reason",
        "x",
    )
    error = sh(
        "instruments",
        "escalate",
        i,
        "--as",
        "ice-nyc-officer",
        "--reason",
        "x",
        "--due",
        "2001-01-01T00:00Z",
        code=2,
    )
    assert "in the past" in error
    refused = sh.json("cases", "list")
    chain = sh.json(
        "cases", "show", next(c["id"] for c in refused if c["person_name"].startswith("OSTRAND"))
    )
    assert chain["instruments"][-1]["id"] == i  # the refused escalation appended nothing
    assert chain["instruments"][-1]["status"] == "declined"


def test_a_stale_version_exits_with_3(sh: Shell) -> None:
    i = sh.json(
        "instruments",
        "issue",
        "--as",
        "ice-nyc-officer",
        "--kind",
        "detainer",
        "--to",
        "nyc-doc",
        "--person",
        "nysid:90000004R",
        "--action",
        "hold",
    )
    sh(
        "instruments",
        "acknowledge",
        i["id"],
        "--as",
        "nyc-doc-officer",
        "--if-version",
        str(i["version"]),
    )
    error = sh(
        "instruments",
        "withdraw",
        i["id"],
        "--as",
        "ice-nyc-officer",
        "--reason",
        "x",
        "--if-version",
        str(i["version"]),
        code=3,
    )
    assert "changed by someone else" in error


def test_the_real_command_fails_cleanly_without_a_database(tmp_path: Path) -> None:
    env = {**os.environ, "LEXDESK_DATABASE_URL": sqlite_url(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "lexdesk", "cases", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == "lexdesk: the database has no lexdesk tables yet: run `lexdesk init` first\n"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "lexdesk", "cases", "list"],
        env={**os.environ, "LEXDESK_DATABASE_URL": "mysql://x"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith(
        "lexdesk: LEXDESK_DATABASE_URL must start with"
    )


def test_no_argument_takes_an_invisible_character() -> None:
    """As no API field or form field does (domain/text.py): one line, exit 2."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lexdesk", "persons", "list", "--as", "ice\u202eofficer"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "lexdesk: argument 4 has an invisible or control character, U+202E"
        " (RIGHT-TO-LEFT OVERRIDE), at character 4: remove it\n"
    )


def test_a_wrong_setting_is_named_in_one_line(sh: Shell, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEXDESK_DB_POOL_SIZE", "0")
    reset_app()
    error = sh("cases", "list", code=2)
    assert error == "lexdesk: LEXDESK_DB_POOL_SIZE: Input should be greater than or equal to 1\n"

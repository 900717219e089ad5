"""``lexdesk persons``: a custodial agency's people from a shell, each command with ``--json``,
every bad input one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from tests.lawful.harness import Lawful, issue

ROSTER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "roster.csv"


def test_a_custodian_books_moves_and_releases_people(world: Lawful) -> None:
    booked = world.cli_json(
        "persons", "book", "--as", "doc-officer", "--family-name", "Shell", "--given-name",
        "Avery", "--nysid", "55550001E", "--release", "2020-02-03T09:00:00-05:00",
        "--at", "2020-01-10T09:00:00-05:00",
        "--charge", "NY PL 155.30", "--charge-class", "E felony",
    )  # fmt: skip
    assert booked["custody"]["status"] == "in_custody"
    listed = world.cli_json("persons", "list", "--as", "doc-officer")
    assert [p["id"] for p in listed] == [booked["id"]]
    detainer = issue(world, "detainer", ("hold",), person="nysid:55550001E")
    moved = world.cli_json(
        "persons", "release-date", booked["id"], "--as", "doc-officer",
        "--at", "2020-02-10T09:00:00-05:00", "--reason", "Sentence recalculated.",
    )  # fmt: skip
    assert moved["custody"]["expected_release_at"] == "2020-02-10T14:00:00+00:00"
    shown = world.get("doc-legal", f"/instruments/{detainer.id}")
    assert shown["due_at"] == "2020-02-12T14:00:00Z"
    gone = world.cli_json("persons", "transfer", booked["id"], "--as", "doc-officer",
                          "--to", "nypd", "--reason", "Warrant in another county.")  # fmt: skip
    assert gone["custody"]["status"] == "transferred" and gone["custody"]["destination"] == "nypd"
    assert world.get("doc-legal", f"/instruments/{detainer.id}")["status"] == "moot"
    shown = world.cli_json("persons", "show", booked["id"], "--as", "doc-legal")
    assert shown["stays"] == 1


def test_bad_input_is_one_line_and_exit_2(world: Lawful) -> None:
    for args, says in (
        (("persons", "list", "--as", "ice-officer"), "not a custodial agency"),
        (("persons", "book", "--as", "doc-officer", "--family-name", "X", "--given-name", "Y"),
         "at least one identifier"),
        (("persons", "release", "per-0000000000000000", "--as", "doc-officer", "--reason", "x"),
         "no person"),
        (("persons", "release-date", "per-0", "--as", "doc-officer", "--reason", "x"),
         "--at"),
        (("persons", "import", "/no/such/roster.csv", "--as", "doc-officer"), "no file"),
        (("persons", "book", "--as", "doc-auditor", "--family-name", "X", "--given-name", "Y",
          "--nysid", "1"), "may not person:write"),
    ):  # fmt: skip
        result = world.cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert says in result.output and result.output.count("\n") == 1, result.output


def test_the_sample_roster_imports_once(world: Lawful, tmp_path: Path) -> None:
    first = world.cli_json("persons", "import", str(ROSTER), "--as", "doc-officer")
    assert first["counts"]["booked"] == 3 and first["counts"]["rejected"] == 0
    again = world.cli_json("persons", "import", str(ROSTER), "--as", "doc-officer")
    assert again["counts"]["unchanged"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("nysid,family_name\n1,X\n")
    refused = world.cli("persons", "import", str(bad), "--as", "doc-officer", "--json")
    assert refused.exit_code == 2 and "'given_name' column" in refused.output
    assert json.loads(world.cli("persons", "list", "--as", "doc-officer", "--json").stdout)


def test_a_roster_with_a_wrong_row_is_refused_whole(world: Lawful, tmp_path: Path) -> None:
    """Nothing half-imported: each rejected line and why, exit 2, nobody booked."""
    rows = ROSTER.read_text().splitlines()
    wrong = rows[2].replace("2026-11-22,", "2026-13-22,", 1)
    roster = tmp_path / "wrong.csv"
    roster.write_text("\n".join([rows[0], rows[1], wrong, *rows[3:]]) + "\n")
    people = world.cli("persons", "list", "--as", "doc-officer", "--json").stdout
    said = world.cli("persons", "import", str(roster), "--as", "doc-officer")
    assert said.exit_code == 2
    assert said.stderr.splitlines()[0].startswith("line 3: ")
    assert said.stderr.splitlines()[-1].endswith("send the whole roster again")
    document = world.cli("persons", "import", str(roster), "--as", "doc-officer", "--json")
    assert document.exit_code == 2
    refused = json.loads(document.stdout)
    assert refused["applied"] is False and [r["line"] for r in refused["rejected"]] == [3]
    assert world.cli("persons", "list", "--as", "doc-officer", "--json").stdout == people

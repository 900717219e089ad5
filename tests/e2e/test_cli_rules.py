"""``lexdesk rules``: the evaluate contract (JSON in and out, exit 0, 2 or 3), list, show and
test, through typer's runner and, for the contract, through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lexdesk.entrypoints.cli import rules as rules_cli
from tests.unit.rules.builders import catalog, pack, rule

STORY: dict[str, Any] = {
    "pack": "us-ny-nyc-doc",
    "as_of": "2020-01-17",
    "instrument": {
        "kind": "detainer",
        "warrant": "judicial",
        "actions": ["hold", "notify_release"],
    },
    "person": {
        "arrested_on": "2019-11-20",
        "convictions": [
            {"offense": "NY PL 160.15", "date": "2016-03-01", "released_on": "2018-03-01"}
        ],
        "pending_charges": [{"offense": "NY PL 125.25", "date": "2020-01-10"}],
        "tsdb_match": False,
        "prior_removal": False,
        "illegal_reentry": False,
        "proof_of_status": False,
    },
}


def _run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(rules_cli.app, list(args), input=stdin)


def _one_line(text: str) -> str:
    assert text.count("\n") == 1, text
    return text


def test_evaluate_reads_a_file_and_prints_the_decision(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(STORY))
    result = _run("evaluate", str(request))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["pack"], document["pack_version"], document["as_of"]) == (
        "us-ny-nyc-doc",
        "2014-12-14",
        "2020-01-17",
    )
    assert document["outcome"] == "may_comply"
    hold = document["actions"]["hold"]
    assert (hold["status"], hold["rule"]) == ("permitted", "NYC-DOC-HOLD-02")
    assert document["actions"]["hold"]["citation"].startswith("N.Y.C. Admin. Code § 9-131")
    assert isinstance(document["reasons"], list)
    assert document["missing"] == []


def test_evaluate_reads_stdin_and_reports_missing_facts() -> None:
    doc = {**STORY, "instrument": {**STORY["instrument"], "warrant": "administrative"}}
    result = _run("evaluate", "-", stdin=json.dumps(doc))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    # § 9-131(b)(1): neither a hold nor a release notification on a detainer without it.
    assert document["outcome"] == "must_not_comply"
    assert [(m["fact"], m["value"], m["actions"]) for m in document["missing"]] == [
        ("instrument.warrant", "judicial", {"hold": "permitted", "notify_release": "permitted"})
    ]
    assert document["missing"][0]["label"].startswith("a judicial warrant")


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({**STORY, "agency": "x"}), "unknown field request.agency"),
        (json.dumps({**STORY, "pack": "us-nowhere"}), "unknown pack 'us-nowhere'"),
        (
            json.dumps({**STORY, "instrument": {"kind": "letter", "actions": ["hold"]}}),
            "unknown instrument kind 'letter'",
        ),
        (json.dumps({**STORY, "as_of": "2012-02-19"}), "no version in force on 2012-02-19"),
        (
            json.dumps({**STORY, "pack": "us-federal"}),
            "no rule of us-federal in force on 2020-01-17 decides 'hold'",
        ),
    ],
)
def test_evaluate_refuses_with_exit_2_and_one_line(stdin: str, message: str) -> None:
    result = _run("evaluate", "-", stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in _one_line(result.stderr)


def test_evaluate_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = _run("evaluate", str(tmp_path / "absent.json"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "cannot read" in _one_line(result.stderr)


def test_a_conflict_exits_3_and_still_prints_the_evaluation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conflicting = catalog(pack("test-local", rule("A", "prohibited"), rule("B", "permitted")))
    monkeypatch.setattr(rules_cli, "load_catalog", lambda: conflicting)
    doc = {
        "pack": "test-local",
        "as_of": "2020-06-01",
        "instrument": {"kind": "detainer", "actions": ["hold"]},
    }
    result = _run("evaluate", "-", stdin=json.dumps(doc))
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["outcome"] == "conflict"
    assert document["actions"]["hold"]["conflicting"] == ["A", "B"]
    assert "conflict between A (prohibited), B (permitted)" in _one_line(result.stderr)


def test_list_names_every_pack() -> None:
    result = _run("list")
    assert result.exit_code == 0
    for pack_id in ("us-federal", "us-ny-nyc-doc", "us-ny-nyc-nypd", "us-ca", "us-tx"):
        assert pack_id in result.stdout


def test_show_gives_rules_citations_and_status() -> None:
    result = _run("show", "us-ny-nyc-doc")
    assert result.exit_code == 0
    assert (
        "NYC-DOC-HOLD-02: permitted (exception to NYC-DOC-HOLD-01, NYC-10178-01) [verified]"
        in result.stdout
    )
    assert "N.Y.C. Admin. Code § 9-131(b)" in result.stdout
    assert "table violent_or_serious_crimes:" in result.stdout


def test_show_an_unknown_pack_exits_2() -> None:
    result = _run("show", "us-nowhere")
    assert result.exit_code == 2
    assert "unknown pack 'us-nowhere'" in _one_line(result.stderr)


def test_test_runs_every_vector() -> None:
    result = _run("test")
    assert result.exit_code == 0, result.stdout
    passed, failed = result.stdout.strip().splitlines()[-1].split(", ")
    assert int(passed.split()[0]) >= 75
    assert failed == "0 failed"


def test_test_one_pack() -> None:
    result = _run("test", "us-tx")
    assert (result.exit_code, result.stdout.strip()) == (0, "20 passed, 0 failed")


def test_test_reports_failures_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    from lexdesk.domain.rules.vectors import parse_vectors

    vectors = parse_vectors(
        "pack: us-tx\nvectors:\n  - name: wrong\n    input: {as_of: 2020-01-17, instrument: "
        "{kind: detainer, actions: [hold]}}\n    expect: {outcome: must_not_comply}\n",
        "us-tx/vectors.yaml",
        "us-tx",
    )
    monkeypatch.setattr(rules_cli, "load_vectors", lambda pack_id: vectors)
    result = _run("test", "us-tx")
    assert result.exit_code == 1
    assert "FAIL us-tx: wrong (us-tx/vectors.yaml:3: vectors[0])" in result.stdout
    assert "FAIL us-tx: TX-HOLD-02 decides in no vector" in result.stdout
    assert "FAIL us-tx: TX-HOLD-01 decides in no vector" in result.stdout  # only passes count
    assert result.stdout.strip().endswith("0 passed, 5 failed")


def _subprocess(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lexdesk.entrypoints.cli.rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_contract_through_a_real_process() -> None:
    done = _subprocess("evaluate", "-", stdin=json.dumps(STORY))
    assert (done.returncode, done.stderr) == (0, "")
    document = json.loads(done.stdout)
    assert document["actions"]["notify_release"]["rule"] == "NYC-DOC-NOTIFY-02"
    refused = _subprocess("evaluate", "-", stdin="[")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith("lexdesk: invalid JSON")
    assert refused.stderr.count("\n") == 1


def test_a_request_nested_too_deeply_or_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"pack": "us-ny-nyc-doc \xe9"}')
    for path, message in ((deep, "nested too deeply"), (latin, "is not UTF-8 text")):
        result = CliRunner().invoke(rules_cli.app, ["evaluate", str(path)])
        assert result.exit_code == 2
        assert message in result.stderr and result.stderr.count("\n") == 1

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


def test_list_json_has_one_object_per_pack_with_its_versions() -> None:
    result = _run("list", "--json")
    assert result.exit_code == 0
    packs = json.loads(result.stdout)
    ids = [p["pack"] for p in packs]
    assert ids == sorted(ids) and {"us-ny", "us-ny-nyc-dop", "us-il", "us-fl"} <= set(ids)
    doc = next(p for p in packs if p["pack"] == "us-ny-nyc-doc")
    assert [v["version"] for v in doc["versions"]] == ["2012-02-20", "2013-06-16", "2014-12-14"]
    assert doc["layers"] == ["us-ny"] and doc["vectors"] >= 15
    assert doc["verified"] == sum(v["verified"] for v in doc["versions"])


def test_sources_lists_every_rule_with_its_verification() -> None:
    result = _run("sources", "us-tx", "--json")
    assert result.exit_code == 0
    versions = json.loads(result.stdout)
    assert [v["version"] for v in versions] == ["2017-09-01", "2025-01-01"]
    hold = next(r for r in versions[0]["rules"] if r["id"] == "TX-HOLD-01")
    assert hold["verification"]["status"] == "verified"
    assert hold["verification"]["read_at"].startswith("https://www.lawserver.com/")
    recodified = next(r for r in versions[1]["rules"] if r["id"] == "TX-HOLD-01")
    assert recodified["citation"].startswith("Tex. Code Crim. Proc. art. 2A.060(a)(1)")
    assert recodified["verification"]["status"] == "unconfirmed"
    text = _run("sources", "us-ny-nyc-doc").stdout
    assert "table violent_or_serious_crimes: 162 of 163 entries verified" in text


def test_sources_of_every_pack_names_every_version() -> None:
    versions = json.loads(_run("sources", "--json").stdout)
    listed = json.loads(_run("list", "--json").stdout)
    assert len(versions) == sum(len(p["versions"]) for p in listed)


def test_diff_shows_rules_added_removed_and_changed_with_citations() -> None:
    result = _run("diff", "us-ny-nyc-nypd", "2014-12-14", "2017-12-01", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert (document["from"], document["to"]) == ("2014-12-14", "2017-12-01")
    added = {r["id"]: r["citation"] for r in document["rules"]["added"]}
    assert added == {"NYC-10178-01": "N.Y.C. Admin. Code § 10-178(c), (e)"}
    assert [r["id"] for r in document["rules"]["removed"]] == ["NYC-NYPD-INFO-01"]
    changed = {r["id"]: r["changes"] for r in document["rules"]["changed"]}
    assert changed["NYC-NYPD-HOLD-03"] == {
        "exception_to": {
            "from": ["NYC-NYPD-HOLD-01"],
            "to": ["NYC-NYPD-HOLD-01", "NYC-10178-01"],
        }
    }
    assert [d["id"] for d in document["duties"]["added"]] == ["NYC-10178-RECORD"]
    printed = _run("diff", "us-tx", "2017-09-01", "2025-01-01").stdout
    assert "~ TX-HOLD-01 Tex. Code Crim. Proc. art. 2A.060(a)(1)" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("diff", "us-tx", "2017-09-01", "2099-01-01"), "us-tx has no version '2099-01-01'"),
        (("diff", "us-nowhere", "a", "b"), "unknown pack 'us-nowhere'"),
        (("sources", "us-nowhere"), "unknown pack 'us-nowhere'"),
        (("hold-limit", "us-tx", "--on", "2016-01-01"), "no version in force on 2016-01-01"),
        (("hold-limit", "us-tx", "--on", "soon"), "--on must be a date"),
    ],
)
def test_audit_commands_refuse_with_exit_2_and_one_line(
    args: tuple[str, ...], message: str
) -> None:
    result = _run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in _one_line(result.stderr)


def test_hold_limit_names_the_law_that_sets_it() -> None:
    document = json.loads(_run("hold-limit", "us-tx", "--on", "2020-01-17", "--json").stdout)
    assert (document["hours"], document["counting"]) == (48, "clock_hours")
    assert (document["pack"], document["inherited"]) == ("us-federal", True)
    before = json.loads(_run("hold-limit", "us-ca", "--on", "2017-04-01", "--json").stdout)
    assert before["counting"] == "business_hours"  # the detainer forms before Form I-247A
    after = json.loads(_run("hold-limit", "us-ca", "--on", "2017-04-02", "--json").stdout)
    assert after["counting"] == "clock_hours"
    assert (
        "0 clock hours: Cal. Gov. Code § 7284.6(a)(1)(B)"
        in _run("hold-limit", "us-ca", "--on", "2020-01-17").stdout
    )


@pytest.mark.parametrize(
    ("person", "message"),
    [
        ({"deported": True}, "unknown field person.deported"),
        ({"final_removal_order": "yes"}, "person.final_removal_order must be true or false"),
        (
            {"convictions": [{"offense": "NY PL 1", "date": "2019-01-01", "level": "violation"}]},
            "person.convictions[0].level must be one of felony, misdemeanor",
        ),
        ({"public_information": ["shoe_size"]}, "person.public_information[0] must be one of"),
    ],
)
def test_an_unknown_or_malformed_fact_is_refused_in_one_line(
    person: dict[str, Any], message: str
) -> None:
    doc = {**STORY, "person": person}
    result = _run("evaluate", "-", stdin=json.dumps(doc))
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in _one_line(result.stderr)


def test_an_unknown_issuer_is_refused_in_one_line() -> None:
    doc = {**STORY, "instrument": {**STORY["instrument"], "issuer": "usms"}}
    result = _run("evaluate", "-", stdin=json.dumps(doc))
    assert result.exit_code == 2
    assert "instrument.issuer must be one of ice, cbp, other" in _one_line(result.stderr)


def test_evaluate_keeps_its_shape_and_adds_notes_labels_and_hold_limits() -> None:
    doc = {**STORY, "pack": "us-ny-nyc-nypd"}
    doc["person"] = {**STORY["person"], "prior_removal": True, "illegal_reentry": True}
    document = json.loads(_run("evaluate", "-", stdin=json.dumps(doc)).stdout)
    assert {"pack", "pack_version", "as_of", "outcome", "actions", "reasons", "missing"} <= set(
        document
    )
    hold = document["actions"]["hold"]
    assert (hold["status"], hold["rule"]) == ("permitted", "NYC-NYPD-HOLD-02")
    assert hold["hold_limit"]["hours"] == 48 and hold["turns_on"] == []
    assert document["notes"] == []

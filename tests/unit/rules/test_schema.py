"""The pack format is strict: unknown keys, wrong types and bad references fail with the
file, the line and the key, before any evaluation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from lexdesk.domain.rules import PackError, build_catalog
from lexdesk.domain.rules.loader import parse_version

from .builders import VERIFIED, catalog, pack, rule, table

GOOD = """\
pack: us-test
version: "2020-01-01"
title: A test pack
level: local
jurisdiction: Testland
agency: Testland jail
effective_from: 2020-01-01
sources:
  - {title: Test Code, url: "https://example.org", status: text}
hold_limit: default
tables:
  listed:
    label: Listed offenses
    citation: Test Code § 1
    url: https://example.org
    entries:
      - offense: TP 1
        name: first
        citation: Test Penal Law § 1
        effective_from: 2020-01-01
        verification: {status: verified, source: test, read_at: "https://example.org",
                       read_on: 2026-01-01}
rules:
  - id: BASE
    label: base
    applies_to: {kinds: ["*"], actions: [hold]}
    effect: prohibited
    citation: Test Code § 2
    url: https://example.org
    text: The base.
    verification:
      {status: verified, source: test, read_at: "https://example.org", read_on: 2026-01-01}
  - id: EXC
    label: exception
    exception_to: [BASE]
    applies_to: {kinds: [detainer], actions: [hold]}
    when:
      all:
        - eq: {fact: instrument.warrant, value: judicial}
        - conviction: {table: listed, within_years: 5}
    effect: permitted
    citation: Test Code § 3
    url: https://example.org
    text: The exception.
    verification: {status: unconfirmed, source: test}
"""


def _parse(text: str) -> None:
    build_catalog({"us-test": [("us-test/2020-01-01.yaml", text)]})


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_reference_file_parses() -> None:
    version = parse_version("us-test/2020-01-01.yaml", GOOD)
    assert [r.id for r in version.rules] == ["BASE", "EXC"]
    assert version.tables["listed"].entries[0].offense == "TP 1"


def test_unknown_operation_names_file_line_and_path() -> None:
    text = GOOD.replace("- eq: {fact: instrument.warrant, value: judicial}", "- maybe: {fact: x}")
    with pytest.raises(PackError) as raised:
        _parse(text)
    line = _line_of(text, "maybe")
    assert str(raised.value).startswith(
        f"us-test/2020-01-01.yaml:{line}: rules[1].when.all[0].maybe: unknown operation 'maybe'"
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "    effect: prohibited",
            "    effect: prohibited\n    efect: x",
            "rules[0].efect",
            "unknown key",
        ),
        (
            "    effect: prohibited",
            "    effect: maybe",
            "rules[0].effect",
            "unknown effect 'maybe'",
        ),
        ("    label: base\n", "", "rules[0]", "missing required key 'label'"),
        ("exception_to: [BASE]", "exception_to: [NOPE]", "rules[1].exception_to", "no rule 'NOPE'"),
        (
            "{table: listed, within_years: 5}",
            "{table: unlisted}",
            "rules[1].when.all[1].conviction.table",
            "unknown table 'unlisted'",
        ),
        (
            "within_years: 5",
            "within_years: five",
            "rules[1].when.all[1].conviction.within_years",
            "expected a whole number",
        ),
        (
            "value: judicial}",
            "value: signed}",
            "rules[1].when.all[0].eq.value",
            "'signed' is not a value of instrument.warrant",
        ),
        (
            "fact: instrument.warrant",
            "fact: person.shoe_size",
            "rules[1].when.all[0].eq.fact",
            "unknown fact 'person.shoe_size'",
        ),
        (
            "kinds: [detainer]",
            "kinds: [letter]",
            "rules[1].applies_to.kinds[0]",
            "unknown instrument kind 'letter'",
        ),
        (
            "actions: [hold]}\n    effect: prohibited",
            "actions: [disclose:shoe_size]}\n    effect: prohibited",
            "rules[0].applies_to.actions[0]",
            "cannot disclose 'shoe_size'",
        ),
        (
            "effective_from: 2020-01-01\nsources",
            "effective_from: soon\nsources",
            "effective_from",
            "expected a date",
        ),
        (
            "status: unconfirmed",
            "status: probably",
            "rules[1].verification.status",
            "unknown status 'probably'",
        ),
        ("level: local", "level: galactic", "level", "unknown level 'galactic'"),
        ("  - id: EXC", "  - id: BASE", "rules[1].id", "rule id BASE is used twice"),
        ("title: A test pack", "title: 12", "title", "expected non-empty text, got a number (12)"),
        ("pack: us-test", "pack: us-other", "pack", "must match the pack's folder name"),
    ],
)
def test_schema_errors_name_the_key(old: str, new: str, path: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(PackError) as raised:
        _parse(GOOD.replace(old, new, 1))
    text = str(raised.value)
    assert text.startswith("us-test/2020-01-01.yaml:")
    assert f": {path}: " in text
    assert message in text


def test_duplicate_keys_are_refused_not_merged() -> None:
    text = GOOD.replace(
        "    effect: prohibited", "    effect: prohibited\n    effect: permitted", 1
    )
    with pytest.raises(PackError, match=r":\d+: rules\[0\]\.effect: duplicate key"):
        _parse(text)


def test_invalid_yaml_gives_a_line() -> None:
    with pytest.raises(PackError, match=r"us-test/2020-01-01.yaml:\d+: not valid YAML"):
        _parse(GOOD + "  - [unclosed\n")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(PackError, match="the file is empty"):
        _parse("")


def test_a_rule_may_not_outlive_its_version() -> None:
    doc = pack("test-local", rule("A", effective_from=date(2019, 1, 1)))
    with pytest.raises(PackError, match="effective_from: starts before its version"):
        catalog(doc)


def test_a_missing_layer_is_refused() -> None:
    with pytest.raises(PackError, match="layers: no pack 'us-nowhere'"):
        catalog(pack("test-local", rule("A"), layers=("us-nowhere",)))


def test_layers_may_not_form_a_cycle() -> None:
    first = pack("test-a", rule("A"), layers=("test-b",))
    second = pack("test-b", rule("B"), layers=("test-a",))
    with pytest.raises(PackError, match="stacks on itself"):
        catalog(first, second)


def test_ids_may_not_shadow_a_layer_rule() -> None:
    federal = pack("test-federal", rule("SAME"))
    with pytest.raises(PackError, match="id SAME is already used by a layer"):
        catalog(federal, pack("test-local", rule("SAME"), layers=("test-federal",)))


def test_an_exception_chain_may_not_loop() -> None:
    rules = [rule("A", exception_to=["B"]), rule("B", exception_to=["A"])]
    with pytest.raises(PackError, match="an exception to itself"):
        catalog(pack("test-local", *rules))


def test_table_entries_are_listed_once() -> None:
    doc = pack("test-local", rule("A"), tables={"listed": table("TP 1", "tp  1")})
    with pytest.raises(
        PackError, match=r"tables\.listed\.entries\[1\]\.offense: TP 1 is listed twice"
    ):
        catalog(doc)


def test_duty_statuses_are_checked() -> None:
    duty: dict[str, Any] = {
        "id": "D",
        "label": "tell them",
        "applies_to": {"kinds": ["*"], "actions": ["hold"]},
        "status_in": ["maybe"],
        "citation": "Test Code § 9",
        "url": "https://example.org",
        "text": "Tell them.",
        "verification": VERIFIED,
    }
    with pytest.raises(PackError, match=r"duties\[0\]\.status_in\[0\]: unknown status 'maybe'"):
        catalog(pack("test-local", rule("A"), duties=[duty]))


def test_the_content_hash_follows_content_not_layout() -> None:
    doc = pack("test-local", rule("A"))
    text = yaml.safe_dump(doc, sort_keys=False)
    reordered = yaml.safe_dump(doc, sort_keys=True)
    first = build_catalog({"test-local": [("test-local/2020-01-01.yaml", text)]})
    second = build_catalog({"test-local": [("test-local/2020-01-01.yaml", "# note\n" + reordered)]})
    changed = catalog(pack("test-local", rule("A", citation="Test Code § 99")))
    assert first.get("test-local").content_hash == second.get("test-local").content_hash
    assert first.get("test-local").content_hash != changed.get("test-local").content_hash


def test_a_bad_reference_points_at_the_exception_to_line() -> None:
    text = GOOD.replace("exception_to: [BASE]", "exception_to: [NOPE]")
    with pytest.raises(PackError) as raised:
        _parse(text)
    line = _line_of(text, "exception_to: [NOPE]")
    assert str(raised.value).startswith(f"us-test/2020-01-01.yaml:{line}: rules[1].exception_to: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pack: us-test\neffective_from: 2017-13-01\n", r":2: effective_from: not a valid value"),
        ("a: &x [*x]\n", r":1: nested too deeply, or an alias refers to itself"),
        ("[" * 2000 + "]" * 2000, r":1: not valid YAML: nested too deeply"),
    ],
)
def test_malformed_yaml_is_a_pack_error_not_a_crash(text: str, message: str) -> None:
    """Found by tests/fuzz/fuzz_rule_pack.py: these raised ValueError or RecursionError."""
    with pytest.raises(PackError, match=message):
        parse_version("us-test/2020-01-01.yaml", text)

"""The coverage gates name real files (a test file renamed or a module moved must not drop out of
them without a word), and trace the tests they read, and no others."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from tests.coverage_gate import GATE_TESTS, OVERALL, REPEATERS, ROOT, gates


def test_every_gate_test_exists() -> None:
    missing = sorted(path for path in GATE_TESTS if not (ROOT / path).is_file())
    assert missing == []


def test_every_guarded_module_exists_and_must_be_wholly_covered() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]
    guarded = config["report"]["include"]
    assert len(guarded) >= 20 and config["report"]["fail_under"] == 100
    assert config["run"]["branch"] is True
    assert sorted(path for path in guarded if not (ROOT / path).is_file()) == []
    makefile = (ROOT / "Makefile").read_text()
    assert (
        "pytest -n 3 --dist worksteal -q --cov --cov-report=\n\t$(BIN)/coverage report\n"
        in makefile
    )
    assert "--include='src/lexdesk/*' --fail-under=90" in makefile.split("\npytest:")[1]


def test_every_repeater_left_untraced_exists() -> None:
    assert sorted(path for path in REPEATERS if not (ROOT / path).is_file()) == []
    assert sorted(path for path in OVERALL if not (ROOT / path).exists()) == []


def _item(path: str, database: str | None = None) -> pytest.Item:
    spec = SimpleNamespace(params={"database_url": database}) if database else None
    return cast(pytest.Item, SimpleNamespace(path=ROOT / Path(path), callspec=spec))


@pytest.mark.parametrize(
    ("path", "traced"),
    [
        ("tests/unit/test_accounts.py", True),
        ("tests/integration/test_attachments.py", True),
        ("tests/api/test_instruments_api.py", True),
        ("tests/web/test_pages.py", True),
        ("tests/reliability/test_audit_fail_closed.py", True),  # one of the guarded modules' own
        ("tests/api/test_schema_fuzz.py", False),
        ("tests/api/test_schema_stateful.py", False),
        ("tests/api/test_isolation.py", False),
        ("tests/browser/test_admin_pages.py", False),
        ("tests/lawful/test_ladder_property.py", False),
        ("tests/fuzz/test_fuzz.py", False),
        ("tests/e2e/test_cli.py", True),
        ("tests/lawful/test_persons_cli.py", True),
        ("tests/reliability/test_crash_sqlite.py", False),
    ],
)
def test_the_gates_trace_what_they_read(
    path: str, traced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEXDESK_COVERAGE", raising=False)
    assert gates(_item(path)) is traced
    monkeypatch.setenv("LEXDESK_COVERAGE", "all")
    assert gates(_item(path)) is True


@pytest.mark.parametrize(
    ("path", "database", "traced"),
    [
        ("tests/integration/test_attachments.py", "postgres", True),
        ("tests/integration/test_attachments.py", "sqlite", False),
        ("tests/integration/test_audit_storage.py", "sqlite", True),  # a guarded module's test
        ("tests/unit/test_accounts.py", None, True),
    ],
)
def test_a_test_on_both_databases_is_traced_on_postgresql_for_the_desks_figure(
    path: str, database: str | None, traced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEXDESK_COVERAGE", raising=False)
    assert gates(_item(path, database)) is traced

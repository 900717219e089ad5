"""The coverage gate names real files: a test file renamed or a module moved must not drop out
of it without a word."""

from __future__ import annotations

import sys
import tomllib

import coverage

from tests.coverage_gate import GATE_TESTS, ROOT


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


def test_a_test_outside_the_gate_runs_untraced() -> None:
    # This file is not one of the gate's: under `make test` (pytest-cov, xdist) every tracer
    # must be stopped here, or the whole suite pays for tracing (two to three times its time).
    assert coverage.Coverage.current() is None
    assert sys.gettrace() is None

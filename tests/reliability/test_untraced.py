"""What the coverage gates do not read runs untraced (tests/coverage_gate.py): tracing a test
that repeats the desk's lines costs it two to three times its time, which the suite cannot
spend within CI's half hour."""

from __future__ import annotations

import sys

import coverage
import pytest

from tests.coverage_gate import tracing_everything


@pytest.mark.skipif(tracing_everything(), reason="make coverage traces every test")
def test_a_test_outside_the_gates_runs_untraced() -> None:
    # This file is not one the gates read: under `make test` (pytest-cov, xdist) every tracer
    # must be stopped here.
    assert coverage.Coverage.current() is None
    assert sys.gettrace() is None

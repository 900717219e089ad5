"""The coverage gate (security.md row 27; docs/testing.md, "Coverage"): the modules that
authenticate, keep sessions, authorize and audit must have every line and every branch run by
their tests. ``make test`` measures them while these test files run, and only then: tracing
doubles the time of the rest of the suite, which would not add to what the gate checks.
The modules themselves are listed in pyproject.toml (``[tool.coverage.report] include``).
``LEXDESK_COVERAGE=all`` traces every test, for the whole desk's figure (``make coverage``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import coverage
import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The tests that exercise the guarded modules, by tier.
GATE_TESTS = frozenset(
    {
        "tests/unit/test_accounts.py",
        "tests/unit/test_account_lifecycle.py",
        "tests/unit/test_administration.py",
        "tests/unit/test_audit_alarm.py",
        "tests/unit/test_audit_chain.py",
        "tests/unit/test_audit_channel.py",
        "tests/unit/test_audit_edges.py",
        "tests/unit/test_audit_rows.py",
        "tests/unit/test_audit_streaming.py",
        "tests/unit/test_audit_trail.py",
        "tests/unit/test_authentication_edges.py",
        "tests/unit/test_authorization_edges.py",
        "tests/unit/test_confirmation.py",
        "tests/unit/test_credentials.py",
        "tests/unit/test_enrolment.py",
        "tests/unit/test_role_docs.py",
        "tests/unit/test_sign_in_hardening.py",
        "tests/integration/test_accounts_storage.py",
        "tests/integration/test_account_lifecycle.py",
        "tests/integration/test_audit_edges.py",
        "tests/integration/test_audit_retention.py",
        "tests/integration/test_audit_sequencer.py",
        "tests/integration/test_audit_storage.py",
        "tests/integration/test_row_security.py",
        "tests/api/test_account_lifecycle_api.py",
        "tests/api/test_authentication_edges.py",
        "tests/api/test_authorization.py",
        "tests/api/test_confirmation.py",
        "tests/api/test_hygiene.py",
        "tests/api/test_refusals_audited.py",
        "tests/api/test_sign_in_api.py",
        "tests/web/test_account_lifecycle_pages.py",
        "tests/web/test_audit_page_chain.py",
        "tests/web/test_confirm.py",
        "tests/web/test_session_edges.py",
        "tests/web/test_sign_in.py",
        "tests/reliability/test_audit_coverage.py",
        "tests/reliability/test_audit_fail_closed.py",
    }
)


def gates(item: pytest.Item) -> bool:
    if os.environ.get("LEXDESK_COVERAGE") == "all":
        return True
    return item.path.relative_to(ROOT).as_posix() in GATE_TESTS


@contextmanager
def measured_only_if_gating(item: pytest.Item) -> Iterator[None]:
    """Trace ``item`` (its set-up, run and tear-down) only if it is one of the gate's tests,
    when the suite runs under coverage at all."""
    if gates(item):
        yield
        return
    # An xdist worker runs two: pytest-cov's, and the one started as its process began.
    stopped = []
    while (running := coverage.Coverage.current()) is not None:
        running.stop()
        stopped.append(running)
    try:
        yield
    finally:
        for running in reversed(stopped):
            running.start()

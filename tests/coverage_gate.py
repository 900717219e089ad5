"""The coverage gates (security.md row 27; docs/testing.md, "Coverage"). Two figures, both
enforced by ``make test``:

- the modules that authenticate, keep sessions, authorize and audit must have every line and
  every branch run by their tests (the modules are listed in pyproject.toml,
  ``[tool.coverage.report] include``);
- the whole desk (``src/lexdesk``) must have at least 90% of its lines and branches run by the
  tiers that reach nearly all of it (unit, storage, API, web pages, worker, command line).

Only those tests are traced. The rest (the browser, the lawful properties, recovery and crashes,
the fuzzers) run the same lines again thousands of times, or race, where tracing would cost two
to three times their time, or change the timing they test, and add nothing either figure reads.
``LEXDESK_COVERAGE=all`` traces every test, for the complete figure (``make coverage``)."""

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


#: What is traced for the desk's figure: the tiers that between them reach all but a few percent
#: of it, whose tests are short (measured on the 2-CPU machine, two workers, untraced → traced:
#: unit 38 → 62 s, storage 107 → 113 s, web pages 82 → 121 s, worker 51 → 73 s, command line
#: 249 → 276 s), and the command line's lawful tests, which alone reach `lexdesk persons`.
OVERALL = (
    "tests/unit/",
    "tests/integration/",
    "tests/api/",
    "tests/web/",
    "tests/worker/",
    "tests/e2e/",
    "tests/lawful/test_persons_cli.py",
)

#: ...but not the API's fuzzers (hundreds of generated requests an operation, looking for
#: crashes rather than lines) nor its isolation matrix (some 3,800 requests through the same
#: few handlers, every role of every agency against every route that takes an id).
REPEATERS = frozenset(
    {
        "tests/api/test_schema_fuzz.py",
        "tests/api/test_schema_stateful.py",
        "tests/api/test_isolation.py",
    }
)


def gates(item: pytest.Item) -> bool:
    """Whether ``item`` is traced (when the suite runs under coverage at all)."""
    if tracing_everything():
        return True
    path = item.path.relative_to(ROOT).as_posix()
    if path in GATE_TESTS:
        return True
    return path.startswith(OVERALL) and path not in REPEATERS and not _on_sqlite_too(item)


def _on_sqlite_too(item: pytest.Item) -> bool:
    """Whether ``item`` is the SQLite half of a test that runs on both databases: for the desk's
    figure its PostgreSQL half is traced alone, which runs the same lines but the few that are
    one dialect's, at half the cost. (The guarded modules' tests trace both halves.)"""
    spec = getattr(item, "callspec", None)
    return spec is not None and "sqlite" in spec.params.values()


def tracing_everything() -> bool:
    return os.environ.get("LEXDESK_COVERAGE") == "all"


@contextmanager
def measured_only_if_gating(item: pytest.Item) -> Iterator[None]:
    """Trace ``item`` (its set-up, run and tear-down) only if one of the gates reads it, when
    the suite runs under coverage at all."""
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

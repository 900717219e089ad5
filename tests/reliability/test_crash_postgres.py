"""Crash safety on PostgreSQL (security.md row 20): 30 kill -9s of a client process in the
middle of its business transactions, each followed by the checks of
``tests/reliability/crashes.py``: the server ends the dead client's session and a new writer is
not blocked, every acknowledged commit is there, no partial transaction, the audit chain
verifies. ``make crash`` runs 200; ``LEXDESK_RELIABILITY_SCALE`` scales the 30."""

from __future__ import annotations

import os

import pytest

from tests.databases import postgres_database
from tests.reliability.crashes import run_crashes
from tests.reliability.support import report, scaled

KILLS = 30


@pytest.mark.postgres
def test_kill_9_of_a_client_leaves_every_acknowledged_commit_and_no_partial_one() -> None:
    url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_crash")
    summary = run_crashes(url, scaled(KILLS), seed=20)
    report("\n".join(summary.lines()))
    assert summary.failures == []
    assert summary.kills == scaled(KILLS)
    assert summary.acknowledged >= summary.kills
    assert summary.chain_entries > summary.transactions  # and the agencies' entries
    # The kills land inside transactions, not only between them (the point of the test).
    assert summary.phases["inside a transaction"] > 0, summary.phases

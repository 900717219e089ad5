"""The audit page checks the chain incrementally (issue 14, item 6): a whole walk, then only
the entries recorded since the last one it verified, then a whole walk again when it is due;
a change to the entry it verified last, or to any entry at the next whole walk, shows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from lexdesk.adapters import orm
from lexdesk.bootstrap import App
from lexdesk.services import audit
from tests.databases import audit_protection_lifted
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story

WHOLE = re.compile(r"(\d+) entries checked: the hash chain is whole")
SINCE = re.compile(r"(\d+) entries recorded since the whole chain was walked")


def _tamper(built: App, seq: int) -> None:
    with built.engine.begin() as db, audit_protection_lifted(db):
        db.execute(
            update(orm.audit_log).where(orm.audit_log.c.seq == seq).values(actor="someone-else")
        )


def _note(built: App, n: int) -> None:
    for i in range(n):
        audit.record_alone(
            built.desk, actor="system", agency="nyc-doc", action="test.note",
            object_type="test", object_id=str(i), outcome="success", source="test",
        )  # fmt: skip


def _last(built: App) -> int:
    with built.engine.connect() as db:
        return int(db.execute(select(func.max(orm.audit_log.c.seq))).scalar_one())


def test_the_page_walks_the_chain_then_checks_what_came_since(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-auditor")
    first = WHOLE.search(client.get("/audit").text)
    assert first and int(first.group(1)) > 10
    _note(built, 3)  # recorded since: the next view checks those entries alone
    since = SINCE.search(client.get("/audit").text)
    assert since and int(since.group(1)) == 3
    # An entry verified long ago is changed: not seen until the next whole walk...
    _tamper(built, 3)
    assert SINCE.search(client.get("/audit").text)
    clock.advance(minutes=11)
    broken = client.get("/audit").text
    assert "The chain breaks at entry 3" in broken


def test_a_change_to_the_entry_verified_last_is_seen_at_once(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-auditor")
    assert WHOLE.search(client.get("/audit").text)
    _note(built, 2)
    assert SINCE.search(client.get("/audit").text)
    _tamper(built, _last(built))  # the entry the last view verified last
    page = client.get("/audit").text
    assert "Chain broken" in page and "has changed or is gone" in page

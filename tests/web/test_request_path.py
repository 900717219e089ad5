"""The request path is lean (issue 14, item 3): knowing who holds a session takes one
statement (the session, its user and the agency's kind in one read), and a request whose
session was touched within the minute writes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from lexdesk.bootstrap import App
from lexdesk.entrypoints.web.sessions import SECURE_NAME
from lexdesk.services import accounts
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story


def test_a_session_is_known_in_one_statement(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    sign_in(client, story, clock, "nyc-doc-officer")
    token = client.cookies[SECURE_NAME]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(built.engine, "before_cursor_execute", count)
    try:
        principal = accounts.authenticate(built.desk, token, "test")
    finally:
        event.remove(built.engine, "before_cursor_execute", count)
    assert principal.username == "nyc-doc-officer" and principal.agency_kind.value == "custodial"
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(reads) == 1, reads
    assert writes == []

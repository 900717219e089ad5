"""The Python client generated from the OpenAPI document (``make client``) walks the story
against a real server, ``lexdesk serve`` on its own port: each side signs in with its password
and TOTP code, the jail books a person, the immigration agency issues a request, the jail
acknowledges and declines it, the agency escalates to a subpoena and reads the case. Nothing
here speaks HTTP by hand: if the document and the server disagreed on a path, a parameter or
a body, the generated functions would fail."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import pyotp
import pytest

# Built by `make client` (which `make test` runs first) from the served document.
from lexdesk_client import AuthenticatedClient, Client
from lexdesk_client.api.cases import get_case
from lexdesk_client.api.instruments import (
    acknowledge_instrument,
    determine_instrument,
    escalate_instrument,
    get_instrument,
    issue_instrument,
)
from lexdesk_client.api.persons import book_person
from lexdesk_client.api.session import sign_in_code, sign_in_password
from lexdesk_client.models import (
    AcknowledgeBody,
    BookBody,
    BookBodyIdentifiers,
    CodeStep,
    DetermineBody,
    EscalateBody,
    InstrumentKind,
    IssueBody,
    Outcome,
    PasswordStep,
)

from tests.api.world import PASSWORD, World, build_world
from tests.databases import sqlite_url
from tests.e2e.test_worker_cli import first_answer, free_port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """Agencies and accounts with known TOTP seeds, then a real server on that database."""
    url = sqlite_url(tmp_path_factory.mktemp("client"))
    world = build_world(url, sign_in=False)
    world.built.engine.dispose()
    port = free_port()
    blobs = Path(tmp_path_factory.mktemp("blobs"))
    env = {**os.environ, "LEXDESK_DATABASE_URL": url, "LEXDESK_BLOB_DIR": str(blobs)}
    # Without the worker: the world's accounts were made on its fake clock's day in 2020, and
    # the worker's sweep, on the real clock, would find them unused for years and disable them.
    server = subprocess.Popen(
        [sys.executable, "-m", "lexdesk", "serve", "--port", str(port), "--without-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first_answer(f"{base}/api/v1/openapi.json")
        yield base, world
    finally:
        server.terminate()
        server.wait(timeout=30)


def signed_in(base: str, world: World, username: str) -> AuthenticatedClient:
    """The two steps, through the generated functions."""
    anonymous = Client(base_url=base)
    ticket = sign_in_password.sync(
        client=anonymous,
        body=PasswordStep(username=username, password=PASSWORD, acknowledge_notice=True),
    )
    assert ticket is not None and hasattr(ticket, "ticket"), ticket
    code = pyotp.TOTP(world.secrets[username]).now()
    session = sign_in_code.sync(client=anonymous, body=CodeStep(ticket=ticket.ticket, code=code))
    assert session is not None and hasattr(session, "token"), session
    return AuthenticatedClient(base_url=base, token=session.token)


def business_day_in_new_york(days_from_today: int) -> datetime:
    """Noon in New York on the first business day at least ``days_from_today`` days away: a
    subpoena's return date must fall on one (a run on 2 December once chose New Year's Day)."""
    new_york = holidays.country_holidays("US", subdiv="NY")
    day = datetime.now(UTC).date() + timedelta(days=days_from_today)
    while day.weekday() >= 5 or day in new_york:
        day += timedelta(days=1)
    return datetime.combine(day, time(17), tzinfo=UTC)


def created(answer: Any) -> Any:
    assert answer.status_code in (200, 201), answer.content
    return answer.parsed


def test_the_story_through_the_generated_client(served: tuple[str, World]) -> None:
    base, world = served
    jail, agent, counsel = (
        signed_in(base, world, name) for name in ("doc-officer", "ice-officer", "doc-legal")
    )
    nysid = f"{uuid.uuid4().int % 10**8:08d}C"
    booking = BookBody(
        family_name="Sample",
        given_name="Quinn",
        arrested_on=date(2026, 11, 20),
        booked_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
        identifiers=BookBodyIdentifiers.from_dict({"nysid": nysid}),
    )
    created(book_person.sync_detailed(client=jail, body=booking))

    key = str(uuid.uuid4())
    request = IssueBody(
        kind=InstrumentKind.INFORMATION_REQUEST,
        addressee="doc",
        person=f"nysid:{nysid}",
        actions=["disclose:criminal_history"],
        reference="CLIENT-1",
    )
    issued = created(
        issue_instrument.sync_detailed(client=agent, body=request, idempotency_key=key)
    )
    again = issue_instrument.sync_detailed(client=agent, body=request, idempotency_key=key)
    assert again.status_code == 201 and again.parsed.id == issued.id  # a retry, not a second
    assert issued.status == "issued"

    acknowledged = acknowledge_instrument.sync_detailed(
        issued.id, client=jail, body=AcknowledgeBody(), if_match='"1"'
    )
    assert created(acknowledged).status == "acknowledged"
    assert acknowledged.headers["etag"] == '"2"'

    answer = DetermineBody(outcome=Outcome.DECLINED, reason="Local law forbids it.")
    determined = created(determine_instrument.sync_detailed(issued.id, client=counsel, body=answer))
    assert determined.status == "declined"

    subpoena = created(
        escalate_instrument.sync_detailed(
            issued.id,
            client=agent,
            body=EscalateBody(
                reason="Declined: a subpoena follows.",
                return_date=business_day_in_new_york(days_from_today=30),
            ),
            idempotency_key=str(uuid.uuid4()),
        )
    )
    assert subpoena.kind == "administrative_subpoena"

    seen = created(get_instrument.sync_detailed(issued.id, client=agent))
    assert seen.determination.evaluation is None  # the jail's evaluation is its own
    case = created(get_case.sync_detailed(issued.case_id, client=agent))
    assert [i.id for i in case.instruments] == [issued.id, subpoena.id]

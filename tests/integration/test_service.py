"""Service of process on both databases: its issuer records how, by whom and when an
instrument was served; the refusals; the certificate on the signed document."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.services import accounts, documents, serving
from lexdesk.services.context import Desk
from tests.documents_world import Ladder, ladder, needs_poppler, seed
from tests.fakes import FakeClock

ISSUED = datetime(2020, 1, 17, 15, tzinfo=UTC)


@pytest.fixture
def world(engine: Engine) -> tuple[Desk, Ladder, FakeClock]:
    clock = FakeClock(ISSUED)
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        press=PdfPress("test passphrase", "https://desk.example"),
    )
    seed(desk)
    built = ladder(desk)
    clock.advance(hours=3)
    return desk, built, clock


def serve(desk: Desk, username: str, instrument_id: str, method: str = "in_person",
          at: datetime = ISSUED + timedelta(hours=1)):  # type: ignore[no-untyped-def]  # fmt: skip
    reader = accounts.principal_at_command_line(desk, username)
    return serving.record(
        desk, reader, instrument_id, method, "Officer Rivera", at, "At the front desk.",
        source="test",
    )  # fmt: skip


def test_the_issuer_records_service_and_whoever_sees_the_instrument_sees_it(
    world: tuple[Desk, Ladder, FakeClock],
) -> None:
    desk, steps, _ = world
    made = serve(desk, "ice-officer", steps.subpoena)
    assert made.method.value == "in_person" and made.served_by == "Officer Rivera"
    for user in ("doc-officer", "usao-officer"):
        reader = accounts.principal_at_command_line(desk, user)
        assert [s.id for s in serving.of_instrument(desk, reader, steps.subpoena)] == [made.id]
    outsider = accounts.principal_at_command_line(desk, "ice2-officer")
    with pytest.raises(NotFound):
        serving.of_instrument(desk, outsider, steps.subpoena)


def test_refusals(world: tuple[Desk, Ladder, FakeClock]) -> None:
    desk, steps, clock = world
    with pytest.raises(NotPermitted, match="only the issuer"):
        serve(desk, "doc-officer", steps.subpoena)
    with pytest.raises(NotFound):
        serve(desk, "ice2-officer", steps.subpoena)
    with pytest.raises(InvalidInput, match="method of service"):
        serve(desk, "ice-officer", steps.subpoena, method="pigeon")
    with pytest.raises(InvalidInput, match="cannot be served before"):
        serve(desk, "ice-officer", steps.subpoena, at=ISSUED - timedelta(days=1))
    with pytest.raises(InvalidInput, match="future"):
        serve(desk, "ice-officer", steps.subpoena, at=clock.now() + timedelta(hours=1))
    reader = accounts.principal_at_command_line(desk, "ice-officer")
    assert serving.of_instrument(desk, reader, steps.subpoena) == []


@needs_poppler
def test_the_document_carries_the_certificate_of_service(
    world: tuple[Desk, Ladder, FakeClock], tmp_path: Path
) -> None:
    desk, steps, _ = world
    serve(desk, "ice-officer", steps.subpoena, method="mail")
    reader = accounts.principal_at_command_line(desk, "doc-legal")
    pdf = tmp_path / "served.pdf"
    pdf.write_bytes(documents.render(desk, reader, steps.subpoena, source="test").pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    text = " ".join(text.split())
    assert "Certificate of service" in text
    assert ("I certify that on 2020-01-17 16:00 UTC I served this subpoena for records on "
            "Department of Correction by mail.") in text  # fmt: skip
    checked = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in checked.stdout


def test_an_answer_counted_in_business_days_runs_from_its_first_service(
    world: tuple[Desk, Ladder, FakeClock],
) -> None:
    """Issued on a Friday, served the next Wednesday: the information request's ten business
    days count from the Wednesday; a later service moves nothing; a hold does not move."""
    from lexdesk.services import instruments as verbs

    desk, steps, clock = world
    issued = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-officer", "information_request", "doc", steps.person_id,
            ("disclose:date_of_birth",), "none",
        ),
    )  # fmt: skip
    assert issued.due is not None and issued.due.label is None
    served_at = datetime(2020, 1, 22, 15, tzinfo=UTC)  # Wednesday 10:00 in New York
    clock.moment = served_at + timedelta(hours=1)
    serve(desk, "ice-officer", issued.id, "mail", served_at)
    with desk.uow() as uow:
        case = uow.cases.of_instrument(issued.id)
        assert case is not None
        moved = case.instrument(issued.id).due
        events = [e.transition for e in uow.cases.events(case.id) if e.instrument_id == issued.id]
    assert moved is not None and moved.start == served_at and moved.due_at > issued.due.due_at
    assert "business days after service on Wed 22 Jan 2020" in moved.explain()
    assert events[-1] == "reschedule"
    serve(desk, "ice-officer", issued.id, "email", served_at + timedelta(minutes=30))
    with desk.uow() as uow:
        case = uow.cases.of_instrument(issued.id)
        assert case is not None and case.instrument(issued.id).due == moved
    with desk.uow() as uow:
        case = uow.cases.of_instrument(steps.notification)
        assert case is not None
        before = case.instrument(steps.notification).due
    serve(desk, "ice-officer", steps.notification, "mail", ISSUED + timedelta(hours=2))
    with desk.uow() as uow:
        case = uow.cases.of_instrument(steps.notification)
        assert case is not None and case.instrument(steps.notification).due == before

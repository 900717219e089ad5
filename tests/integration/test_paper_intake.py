"""Paper intake on both databases (issue 10, item 5): a custodian records what it was served on
paper by an agency that does not use the desk; the instrument appears on both sides, the
issuer's copy marked until it confirms; the scan is attached, the receipt is the service the
clock runs from; the desk signs nothing in the issuer's name until then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.services import accounts, attachments, documents, paper, serving, views
from lexdesk.services.context import Desk
from tests.factories import book, seed_agencies
from tests.fakes import FakeClock

NOW = datetime(2020, 1, 24, 15, tzinfo=UTC)  # a Friday
SCAN = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> Desk:
    clock = FakeClock(NOW)
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        press=PdfPress("test passphrase", "https://desk.example"),
        blobs=LocalBlobStore(tmp_path / "blobs"),
    )
    seed_agencies(desk)
    book(desk)
    return desk


def record(desk: Desk, **changes: object) -> paper.RecordPaper:
    base = paper.RecordPaper(
        actor="doc-officer", kind="information_request", issuer="ice", person="nysid:11111111A",
        actions=("disclose:home_address",), issued_at=NOW - timedelta(days=3),
        received_at=NOW - timedelta(days=1), method="mail", scan_name="served.pdf", scan=SCAN,
        reference="ICE-PAPER-7",
    )  # fmt: skip
    return base.__class__(**{**base.__dict__, **changes})


def who(desk: Desk, username: str) -> accounts.Principal:
    return accounts.principal_at_command_line(desk, username)


def test_a_paper_request_appears_on_both_sides_marked_until_its_issuer_confirms(
    desk: Desk,
) -> None:
    made = paper.record_paper(desk, record(desk))
    assert made.recorded_by == "doc" and made.awaits_confirmation
    assert made.issuer_agency_id == "ice" and made.issued_at == NOW - timedelta(days=3)
    # The clock runs from the receipt (Thursday), not from the paper's date.
    assert made.due is not None and made.due.start == NOW - timedelta(days=1)
    assert "after service on Thu 23 Jan 2020" in made.due.explain()
    with desk.uow() as uow:
        case = uow.cases.of_instrument(made.id)
        assert case is not None
        theirs = views.instrument_view(uow, "ice", case, case.instrument(made.id))
    assert theirs is not None and theirs.instrument.awaits_confirmation
    scans = attachments.list_of(desk, who(desk, "ice-officer"), made.id, "t")
    assert [a.filename for a in scans] == ["served.pdf"]
    served = serving.of_instrument(desk, who(desk, "ice-officer"), made.id, "t")
    assert [(s.method.value, s.served_by) for s in served] == [
        ("mail", "received by Department of Correction")
    ]
    with pytest.raises(InvalidInput, match="recorded from paper"):
        documents.render(desk, who(desk, "ice-officer"), made.id, source="t")
    with pytest.raises(NotPermitted, match="only the issuer"):
        paper.confirm_record(desk, paper.ConfirmRecord("doc-legal", made.id))
    with pytest.raises(NotFound):
        paper.confirm_record(desk, paper.ConfirmRecord("ice2-officer", made.id))
    confirmed = paper.confirm_record(desk, paper.ConfirmRecord("ice-officer", made.id))
    assert not confirmed.awaits_confirmation
    with pytest.raises(InvalidInput, match="confirmed already"):
        paper.confirm_record(desk, paper.ConfirmRecord("ice-officer", made.id))
    signed = documents.render(desk, who(desk, "ice-officer"), made.id, source="t")
    assert signed.pdf.startswith(b"%PDF-")


def test_a_paper_court_order_goes_to_the_agency_it_names(desk: Desk) -> None:
    order = paper.record_paper(
        desk,
        record(
            desk, kind="court_order", issuer="court", produce_to="ice",
            actions=("disclose:home_address",), return_date=NOW + timedelta(days=10),
        ),
    )  # fmt: skip
    assert order.produce_to == ("ice",) and order.due is not None
    assert order.due.due_at.date() == (NOW + timedelta(days=10)).date()
    with desk.uow() as uow:
        case = uow.cases.of_instrument(order.id)
        assert case is not None and case.requesting_agency_id == "ice"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "referral"}, "not recorded from paper"),
        ({"issuer": "court"}, "comes from an immigration agency"),
        ({"issued_at": NOW + timedelta(hours=1)}, "in the future"),
        ({"issued_at": NOW - timedelta(days=400)}, "more than a year old"),
        ({"received_at": NOW - timedelta(days=5)}, "cannot be served before"),
        ({"person": "nysid:00000000Z"}, "no person held by doc"),
        ({"scan": b"<html>no</html>"}, "PDF, PNG, JPEG or TIFF"),
        ({"kind": "court_order", "issuer": "court"}, "the records go to"),
        ({"actor": "ice-officer"}, "only a custodial agency"),
    ],
)
def test_bad_paper_is_refused_and_nothing_is_kept(
    desk: Desk, engine: Engine, changes: dict[str, object], words: str
) -> None:
    from sqlalchemy import func, select

    from lexdesk.adapters import orm

    with pytest.raises((InvalidInput, NotFound, NotPermitted)) as refused:
        paper.record_paper(desk, record(desk, **changes))
    assert words.lower() in str(refused.value).lower()
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.instruments)) == 0
        assert db.scalar(select(func.count()).select_from(orm.attachments)) == 0

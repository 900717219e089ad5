"""Productions on both databases (issue 10, item 7): what an answer released, bound with the
records attached to the answer, every page Bates-numbered in the producing agency's own
sequence, signed by it (checked by poppler's ``pdfsig``), held by the producer and the
recipients only, the recipients told."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.documents import Result
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.services import accounts, attachments, documents, production
from lexdesk.services.context import Desk
from tests.documents_world import Ladder, ladder, needs_poppler, seed
from tests.fakes import FakeClock

pytestmark = needs_poppler
SCAN = b"%PDF-1.4\n" + b"1 0 obj <<>> endobj\n"


def make_desk(engine: Engine, blobs: Path) -> Desk:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    return Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        press=PdfPress("test passphrase", "https://desk.example"),
        blobs=LocalBlobStore(blobs),
    )


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> tuple[Desk, Ladder]:
    desk = make_desk(engine, tmp_path / "blobs")
    seed(desk)
    return desk, ladder(desk)


def two_page_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_blank_page(842, 595)  # a landscape page of another size
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def who(desk: Desk, username: str) -> accounts.Principal:
    return accounts.principal_at_command_line(desk, username)


def attach(desk: Desk, instrument_id: str, name: str, data: bytes) -> None:
    attachments.add(
        desk, who(desk, "doc-legal"), instrument_id, name, data, on="answer", source="t"
    )


def pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "production.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return [" ".join(page.split()) for page in done.stdout.split("\f")][:-1]


def test_a_production_binds_the_release_and_the_records_with_bates_on_every_page(
    world: tuple[Desk, Ladder], tmp_path: Path, engine: Engine
) -> None:
    desk, ladder = world
    attach(desk, ladder.order, "records.pdf", two_page_pdf())
    attach(desk, ladder.order, "photo.png", png())
    made = production.make(desk, who(desk, "doc-legal"), ladder.order, source="t")
    assert (made.bates_prefix, made.first) == ("DOC", 1) and made.recipients == ("ice",)
    copy = production.render(desk, who(desk, "ice-officer"), ladder.order, source="t")
    texts = pages_text(copy.pdf, tmp_path)
    assert len(texts) == made.pages == made.last
    for number, text in enumerate(texts, 1):
        assert f"DOC-{number:06d}" in text, (number, text)
    cover = texts[0]
    assert "Production of Records" in cover and "Bates DOC-000001 through" in cover
    assert "Home address" in cover and "ICE Field Office" in cover
    assert "records.pdf" in cover and "photo.png" in cover
    signed = subprocess.run(
        ["pdfsig", str(tmp_path / "production.pdf")], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid." in signed and "Department of Correction" in signed
    verdict = documents.verify_file(desk, copy.pdf, source="t")
    assert verdict.result is Result.AUTHENTIC and verdict.kind is not None
    assert verdict.kind.value == "production" and verdict.issuer_agency_id == "doc"
    # The next production of the same agency continues the sequence; the first keeps its own.
    again = production.make(desk, who(desk, "doc-legal"), ladder.order, source="t")
    assert again == made
    second = production.render(desk, who(desk, "doc-legal"), ladder.order, source="t")
    assert pages_text(second.pdf, tmp_path)[-1].count(f"DOC-{made.last:06d}") == 1
    with engine.connect() as db:
        told = db.execute(select(orm.outbox_events.c.agency_id, orm.outbox_events.c.subject)).all()
    assert [(a, s) for a, s in told if "Records produced" in s] == [
        ("ice", f"Records produced by Department of Correction: Bates {made.bates_range}")
    ]


def test_a_production_shows_the_release_as_it_stood_not_the_record_now(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, ladder = world
    before = production.make(desk, who(desk, "doc-legal"), ladder.order, source="t")
    with desk.uow() as uow:  # the address changes in the record after it was released
        person = uow.persons.get(ladder.person_id)
        assert person is not None
        uow.persons.update(replace(person, record={"home_address": "9 New Road"}))
        uow.commit()
    copy = production.render(desk, who(desk, "ice-officer"), ladder.order, source="t")
    text = " ".join(pages_text(copy.pdf, tmp_path))
    assert "1 Test Lane" in text and "9 New Road" not in text and before.pages == 1


def test_only_the_producer_and_the_recipients_hold_it(world: tuple[Desk, Ladder]) -> None:
    desk, ladder = world
    with pytest.raises(NotPermitted):
        production.make(desk, who(desk, "ice-legal"), ladder.order, source="t")
    with pytest.raises(InvalidInput, match="released no records"):
        production.make(desk, who(desk, "doc-legal"), ladder.subpoena, source="t")
    production.make(desk, who(desk, "doc-legal"), ladder.order, source="t")
    for outsider in ("court-legal", "usao-legal"):
        with pytest.raises(NotFound):
            production.render(desk, who(desk, outsider), ladder.order, source="t")
        assert production.production_of(desk, who(desk, outsider), ladder.order) is None


def test_a_file_that_cannot_be_reproduced_gets_a_page_that_says_so(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, ladder = world
    attach(desk, ladder.order, "locked.pdf", SCAN + b"/Encrypt 5 0 R\n%%EOF\n")
    made = production.make(desk, who(desk, "doc-legal"), ladder.order, source="t")
    copy = production.render(desk, who(desk, "doc-legal"), ladder.order, source="t")
    texts = pages_text(copy.pdf, tmp_path)
    assert made.pages == 2 and "not reproduced" in texts[1] and "DOC-000002" in texts[1]

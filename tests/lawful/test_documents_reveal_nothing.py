"""A document reveals no more than the reader's view (issue: "Lawful by construction"; derived
facts are facts): every instrument of a ladder, its answer letter and the production, rendered
for every agency that may read it, and the PDF's text read back by poppler, holds no value the
custodian did not release to that agency, no expected release, and no date computed from one.
The production holds what was released, to its recipients only."""

from __future__ import annotations

import contextlib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.services import accounts, documents, production
from lexdesk.services.context import Desk
from tests.documents_world import ladder, needs_poppler, seed
from tests.fakes import FakeClock
from tests.lawful.harness import formats

pytestmark = needs_poppler
#: The person's expected release (tests.factories.book), never released in this ladder.
RELEASE = datetime(2020, 3, 2, 14, tzinfo=UTC)
#: What the record holds that no answer released: a conviction, and the release.
NEVER = {"NY PL 160.15", "B felony", "2 years"} | formats(RELEASE)
NEVER |= formats(RELEASE + timedelta(hours=48))
ADDRESS = "1 Test Lane"  # released by the answer to the court order, to ICE alone


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_no_document_says_more_than_its_reader_may_learn(engine: Engine, tmp_path: Path) -> None:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        press=PdfPress("test passphrase", "https://desk.example"),
        blobs=LocalBlobStore(tmp_path / "blobs"),
    )
    seed(desk)
    steps = ladder(desk)
    production.make(desk, accounts.principal_at_command_line(desk, "doc-legal"), steps.order,
                    source="t")  # fmt: skip
    read = 0
    for username in ("ice-officer", "usao-officer", "court-officer", "ice2-officer"):
        reader = accounts.principal_at_command_line(desk, username)
        secrets = set(NEVER) | ({ADDRESS} if username != "ice-officer" else set())
        for instrument_id in steps.every_kind.values():
            papers = []
            for answer in (False, True):
                try:
                    papers.append(documents.render(desk, reader, instrument_id, answer=answer,
                                                   source="t").pdf)  # fmt: skip
                except (NotFound, InvalidInput):
                    continue  # not this reader's to read, or not answered
            with contextlib.suppress(NotFound):
                papers.append(production.render(desk, reader, instrument_id, source="t").pdf)
            for pdf in papers:
                text = text_of(pdf, tmp_path)
                read += 1
                assert sorted(s for s in secrets if s in text) == [], (username, instrument_id)
    assert read >= 20
    # The production is where the address is, for its recipient.
    copy = production.render(
        desk, accounts.principal_at_command_line(desk, "ice-officer"), steps.order, source="t"
    )
    assert ADDRESS in text_of(copy.pdf, tmp_path)

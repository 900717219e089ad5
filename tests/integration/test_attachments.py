"""Attachments on both databases: the type judged by the content, the size limit, the blob
kept by its SHA-256 (once), the hash in the audit entry, and who may read what: the paper
served goes with the instrument, records produced with an answer only to their recipients."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.attachments import SIZE_LIMIT, TooLarge
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.services import accounts, attachments
from lexdesk.services.context import Desk
from tests.documents_world import Ladder, ladder, seed
from tests.fakes import FakeClock

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> tuple[Desk, Ladder, Path]:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    blobs = tmp_path / "blobs"
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        blobs=LocalBlobStore(blobs),
    )
    seed(desk)
    return desk, ladder(desk), blobs


def add(desk: Desk, username: str, instrument_id: str, data: bytes, name: str = "x.pdf",
        on: str = "instrument"):  # type: ignore[no-untyped-def]  # fmt: skip
    reader = accounts.principal_at_command_line(desk, username)
    return attachments.add(desk, reader, instrument_id, name, data, on=on, source="test")


def readable(desk: Desk, username: str, instrument_id: str) -> list[str]:
    reader = accounts.principal_at_command_line(desk, username)
    return sorted(a.id for a in attachments.list_of(desk, reader, instrument_id, "test"))


def test_the_served_paper_is_kept_by_its_hash_and_read_by_the_parties(
    world: tuple[Desk, Ladder, Path], engine: Engine
) -> None:
    desk, steps, blobs = world
    made = add(desk, "ice-officer", steps.subpoena, PDF, "../../etc/sub\x07poena.pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert (made.sha256, made.media_type, made.size) == (digest, "application/pdf", len(PDF))
    assert made.filename == "subpoena.pdf"
    assert (blobs / digest[:2] / digest[2:4] / digest).read_bytes() == PDF
    again = add(desk, "doc-officer", steps.subpoena, PDF)
    assert again.sha256 == digest and len(list(blobs.rglob("*"))) == 3  # two folders, one file
    assert readable(desk, "doc-legal", steps.subpoena) == sorted([made.id, again.id])
    assert readable(desk, "usao-officer", steps.subpoena) == sorted(
        [made.id, again.id]
    )  # its chain
    with pytest.raises(NotFound):
        readable(desk, "ice2-officer", steps.subpoena)
    reader = accounts.principal_at_command_line(desk, "doc-legal")
    _, chunks = attachments.read(desk, reader, made.id, "test")
    assert b"".join(chunks) == PDF
    with engine.connect() as db:
        entries = db.execute(
            select(orm.audit_log).where(orm.audit_log.c.object_id == made.id)
        ).all()
    assert [(e.action, e.detail["sha256"]) for e in entries] == [
        ("attachment.add", digest),
        ("attachment.read", digest),
    ]


def test_the_type_is_judged_by_the_content(world: tuple[Desk, Ladder, Path]) -> None:
    desk, steps, _ = world
    assert add(desk, "ice-officer", steps.detainer, PNG, "scan.pdf").media_type == "image/png"
    for data, message in (
        (b"just some text, called a pdf", "PDF, PNG, JPEG or TIFF"),
        (b"GIF89a" + b"\x00" * 20, "image/gif"),
        (b"", "empty"),
    ):
        with pytest.raises(InvalidInput, match=message):
            add(desk, "ice-officer", steps.detainer, data)
    with pytest.raises(TooLarge, match="larger than 25 MB"):
        add(desk, "ice-officer", steps.detainer, PDF + b"0" * SIZE_LIMIT)


def test_only_a_party_attaches_and_nothing_is_kept_of_a_refusal(
    world: tuple[Desk, Ladder, Path], engine: Engine
) -> None:
    desk, steps, _ = world
    with pytest.raises(NotPermitted):
        add(desk, "usao-officer", steps.subpoena, PDF)
    with pytest.raises(NotFound):
        add(desk, "ice2-officer", steps.subpoena, PDF)
    with pytest.raises(InvalidInput, match="once it has"):
        add(desk, "doc-legal", steps.notification, PDF, on="answer")
    with engine.connect() as db:
        assert db.execute(select(orm.attachments)).all() == []


def test_records_produced_reach_only_their_recipients(world: tuple[Desk, Ladder, Path]) -> None:
    desk, steps, _ = world
    served = add(desk, "court-officer", steps.order, PDF, "order.pdf")
    produced = add(desk, "doc-legal", steps.order, PNG, "records.png", on="answer")
    assert readable(desk, "doc-officer", steps.order) == sorted([served.id, produced.id])
    assert readable(desk, "ice-officer", steps.order) == sorted(
        [served.id, produced.id]
    )  # produced to
    assert readable(desk, "court-officer", steps.order) == [served.id]
    assert readable(desk, "usao-officer", steps.order) == [served.id]
    reader = accounts.principal_at_command_line(desk, "court-officer")
    with pytest.raises(NotFound):
        attachments.read(desk, reader, produced.id, "test")

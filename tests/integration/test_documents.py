"""Documents on both databases: every kind rendered, signed with its issuer's key and checked
by poppler's ``pdfsig``; a changed byte caught; rotation keeps old documents verifiable; what
the paper shows is what the disclosure policy shows its reader."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.documents import Result, Standing
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.services import accounts, documents, signing
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.documents_world import Ladder, ladder, needs_poppler, seed
from tests.fakes import FakeClock

pytestmark = needs_poppler

SIGNERS = {
    "detainer": "ICE Field Office",
    "notification_request": "ICE Field Office",
    "transfer_request": "ICE Field Office",
    "information_request": "ICE Field Office",
    "administrative_subpoena": "ICE Field Office",
    "referral": "ICE Field Office",
    "enforcement_petition": "U.S. Attorney",
    "court_order": "District Court",
}


def make_desk(engine: Engine, passphrase: str = "test passphrase") -> Desk:  # noqa: S107
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    return Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        press=PdfPress(passphrase, "https://desk.example"),
    )


@pytest.fixture
def world(engine: Engine) -> tuple[Desk, Ladder]:
    desk = make_desk(engine)
    seed(desk)
    return desk, ladder(desk)


def render(desk: Desk, username: str, instrument_id: str, answer: bool = False) -> bytes:
    reader = accounts.principal_at_command_line(desk, username)
    return documents.render(desk, reader, instrument_id, answer=answer, source="test").pdf


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    return done.stdout


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_every_kind_is_signed_by_its_issuer_and_verifies(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, world_ladder = world
    for kind, instrument_id in world_ladder.every_kind.items():
        pdf = render(desk, "doc-legal", instrument_id)
        checked = pdfsig(pdf, tmp_path)
        assert "Signature is Valid." in checked, (kind, checked)
        assert f"Signer Certificate Common Name: {SIGNERS[kind]}" in checked, (kind, checked)
        verdict = documents.verify_file(desk, pdf, source="test")
        assert verdict.result is Result.AUTHENTIC
        assert verdict.kind is not None and verdict.kind.value == kind
    letter = render(desk, "ice-officer", world_ladder.subpoena, answer=True)
    checked = pdfsig(letter, tmp_path)
    assert "Signature is Valid." in checked
    assert "Signer Certificate Common Name: Department of Correction" in checked


def test_a_changed_byte_is_caught_by_pdfsig_and_by_the_desk(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, world_ladder = world
    pdf = render(desk, "ice-officer", world_ladder.subpoena)
    changed = bytearray(pdf)
    at = pdf.index(b"/Producer")
    changed[at + 12] ^= 0x01
    assert "Signature is Valid." not in pdfsig(bytes(changed), tmp_path)
    verdict = documents.verify_file(desk, bytes(changed), source="test")
    assert verdict.result is Result.ALTERED
    # a byte appended after the signature is a change too
    assert documents.verify_file(desk, pdf + b"\n", source="test").result is Result.ALTERED


def test_what_the_desk_did_not_issue_is_unknown_and_bad_bytes_are_refused(
    world: tuple[Desk, Ladder],
) -> None:
    desk, _ = world
    with pytest.raises(InvalidInput, match="not a PDF"):
        documents.verify_file(desk, b"GIF89a not a pdf", source="test")
    with pytest.raises(InvalidInput, match="malformed"):
        documents.verify_file(desk, b"%PDF-1.7\n garbage", source="test")
    with pytest.raises(InvalidInput, match="encrypted"):
        documents.verify_file(desk, b"%PDF-1.7\n1 0 obj\ntrailer << /Encrypt 5 0 R >>", source="t")
    assert documents.verify_code(desk, "0000-0000-0000", source="t").result is Result.UNKNOWN
    with pytest.raises(InvalidInput, match="12 letters"):
        documents.verify_code(desk, "abc", source="t")


def test_a_verification_tells_the_standing_and_nothing_about_the_person(
    world: tuple[Desk, Ladder], engine: Engine
) -> None:
    desk, world_ladder = world
    reader = accounts.principal_at_command_line(desk, "ice-officer")
    made = documents.render(desk, reader, world_ladder.notification, source="test")
    verdict = documents.verify_code(desk, made.record.code.lower().replace("-", " "), source="t")
    assert verdict.result is Result.AUTHENTIC
    assert verdict.standing is Standing.IN_FORCE
    assert verdict.issuer_name == "ICE Field Office"
    assert set(verdict.to_json()) == {
        "result",
        "code",
        "kind",
        "issuer",
        "issued_at",
        "standing",
        "by",
    }
    verbs.withdraw(desk, verbs.Withdraw("ice-officer", world_ladder.notification, "Not needed."))
    assert documents.verify_code(desk, made.record.code, source="t").standing is Standing.WITHDRAWN
    subpoena = documents.render(desk, reader, world_ladder.subpoena, source="test")
    assert documents.verify_file(desk, subpoena.pdf, source="t").standing is Standing.SUPERSEDED
    with engine.connect() as db:
        lookups = db.execute(
            select(orm.audit_log).where(orm.audit_log.c.action == "document.verify")
        ).all()
    assert len(lookups) == 3


def test_the_holder_s_copy_is_the_paper_the_other_side_gets(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    """The custodian knows the release date and the evaluation; neither reaches the paper."""
    desk, world_ladder = world
    detainer = text_of(render(desk, "doc-legal", world_ladder.detainer), tmp_path)
    assert "Due: on the subject's release" in detainer
    assert "2020-03-02" not in detainer  # the expected release, which ICE was never told
    assert "Testperson" not in detainer  # the holder's record of the person
    letter = text_of(render(desk, "doc-legal", world_ladder.detainer, answer=True), tmp_path)
    assert "declined" in letter and "No judicial warrant." in letter
    assert "NYC-DOC" not in letter  # no rule of the evaluation, which stays with the holder
    assert "Testperson" not in letter


def test_a_subpoena_carries_the_i138_content(world: tuple[Desk, Ladder], tmp_path: Path) -> None:
    desk, world_ladder = world
    text = text_of(render(desk, "ice-officer", world_ladder.subpoena), tmp_path)
    for expected in ("Subpoena for Records", "8 U.S.C. § 1225(d)(4)(A)", "2020-02-14 17:00 UTC",
                     "home address", "date of birth", "Officer"):  # fmt: skip
        assert expected in text, expected


def test_an_outsider_renders_nothing_and_an_unanswered_instrument_has_no_letter(
    world: tuple[Desk, Ladder],
) -> None:
    desk, world_ladder = world
    with pytest.raises(NotFound):
        render(desk, "ice2-officer", world_ladder.detainer)
    with pytest.raises(InvalidInput, match="no answer yet"):
        render(desk, "ice-officer", world_ladder.notification, answer=True)


def test_rotation_keeps_old_documents_verifiable(
    world: tuple[Desk, Ladder], tmp_path: Path, engine: Engine
) -> None:
    desk, world_ladder = world
    before = render(desk, "ice-officer", world_ladder.detainer)
    with pytest.raises(NotPermitted):
        signing.rotate_key(desk, "ice-officer", "ice", "test")
    with pytest.raises(NotPermitted):
        signing.rotate_key(desk, "doc-admin", "ice", "test")
    new = signing.rotate_key(desk, "ice-admin", "ice", "test")
    after = render(desk, "ice-officer", world_ladder.detainer)
    assert documents.verify_file(desk, before, source="t").result is Result.AUTHENTIC
    assert "Signature is Valid." in pdfsig(before, tmp_path)
    assert "Signature is Valid." in pdfsig(after, tmp_path)
    with engine.connect() as db:
        keys = {r.id: r for r in db.execute(select(orm.signing_keys)).all()}
        used = [r.key_id for r in db.execute(select(orm.documents)).all()]
    assert used[-1] == new.id and used[0] != new.id
    assert keys[used[0]].retired_at is not None
    assert all(
        bytes(k.encrypted_key).startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        for k in keys.values()
    )
    with pytest.raises(InvalidInput, match="already has a signing key"):
        signing.create_key(desk, "ice-admin", "ice", "test")


def test_a_wrong_passphrase_signs_nothing(world: tuple[Desk, Ladder], engine: Engine) -> None:
    desk, world_ladder = world
    render(desk, "ice-officer", world_ladder.detainer)  # makes the keys
    other = make_desk(engine, passphrase="not the passphrase")
    reader = accounts.principal_at_command_line(other, "ice-officer")
    with pytest.raises(InvalidInput, match="cannot be decrypted"):
        documents.render(other, reader, world_ladder.detainer, source="test")
    with engine.connect() as db:
        assert len(db.execute(select(orm.documents)).all()) == 1


def test_a_ruling_on_a_petition_releases_nothing_by_itself(
    world: tuple[Desk, Ladder], tmp_path: Path
) -> None:
    desk, world_ladder = world
    ruling = text_of(render(desk, "court-legal", world_ladder.petition, answer=True), tmp_path)
    assert "What the court orders produced" in ruling and "home address" in ruling
    assert "What is released" not in ruling
    checked = pdfsig(render(desk, "usao-legal", world_ladder.petition, answer=True), tmp_path)
    assert "Signer Certificate Common Name: District Court" in checked

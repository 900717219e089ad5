"""``lexdesk documents`` and ``lexdesk keys`` end to end, on the demo, on SQLite and
PostgreSQL: the contract of issue 10 (render writes a signed PDF, verify exits 0 for an
authentic document, 1 for an altered or unknown one, 2 for a file that is no PDF)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import weasyprint

from lexdesk.entrypoints.cli.common import reset_app
from lexdesk.entrypoints.cli.main import cli
from tests.documents_world import needs_poppler
from tests.e2e.test_cli import Shell, business_day_ahead, database, demo_template, sh

__all__ = ["database", "demo_template", "sh"]

pytestmark = needs_poppler


def an_instrument(sh: Shell, actor: str = "ice-nyc-officer", kind: str = "") -> str:
    """An instrument of the demo that ``actor`` sees, held by the NYC DOC."""
    for case in sh.json("cases", "list", "--as", actor):
        if case["custodial_agency"] != "nyc-doc":
            continue
        for instrument in sh.json("cases", "show", case["id"], "--as", actor)["instruments"]:
            if not kind or instrument["kind"] == kind:
                return str(instrument["id"])
    raise AssertionError(f"no {kind or 'instrument'} in the demo")


def verify(sh: Shell, path: Path, *more: str) -> tuple[int, str, str]:
    done = sh.runner.invoke(cli, ["documents", "verify", str(path), *more])
    return done.exit_code, done.stdout, done.stderr


def test_render_writes_a_signed_pdf_that_verifies(sh: Shell, tmp_path: Path) -> None:
    subpoena = an_instrument(sh, kind="administrative_subpoena")
    out = tmp_path / "subpoena.pdf"
    sh("documents", "render", subpoena, "--as", "ice-nyc-officer", "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF-")
    checked = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in checked.stdout
    assert "Signer Certificate Common Name: ICE ERO New York" in checked.stdout
    code, said, _ = verify(sh, out)
    assert code == 0 and said.startswith("authentic: administrative subpoena")
    code, said, _ = verify(sh, out, "--json")
    assert code == 0 and '"result": "authentic"' in said

    changed = bytearray(out.read_bytes())
    changed[changed.index(b"/Producer") + 12] ^= 1
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    code, said, _ = verify(sh, tmp_path / "changed.pdf")
    assert code == 1 and said.startswith("altered:")


def test_what_the_desk_did_not_issue_exits_1_and_what_is_no_pdf_exits_2(
    sh: Shell, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.pdf"
    foreign.write_bytes(weasyprint.HTML(string="<h1>Subpoena</h1><p>Forged.</p>").write_pdf())
    code, said, _ = verify(sh, foreign)
    assert code == 1 and said.startswith("unknown")
    (tmp_path / "note.pdf").write_text("not a pdf at all", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n%% cut off here")
    for path, message in (
        (tmp_path / "note.pdf", "the file is not a PDF"),
        (tmp_path / "broken.pdf", "malformed"),
        (tmp_path / "missing.pdf", "does not exist"),
        (tmp_path, "is a directory"),
    ):
        code, _, err = verify(sh, path)
        assert code == 2 and message in err and err.count("\n") == 1, (path, err)


def test_an_outsider_gets_no_document_and_no_file(sh: Shell, tmp_path: Path) -> None:
    detainer = an_instrument(sh)
    out = tmp_path / "theirs.pdf"
    said = sh("documents", "render", detainer, "--as", "nypd-officer", "-o", str(out), code=2)
    assert "no instrument" in said and not out.exists()


def test_keys_from_a_shell(sh: Shell, tmp_path: Path) -> None:
    made = sh.json("keys", "create", "nyc-doc", "--as", "nyc-doc-admin")
    assert made["agency"] == "nyc-doc" and made["active"]
    assert "already has a signing key" in sh("keys", "create", "nyc-doc", "--as", "nyc-doc-admin",
                                             code=2)  # fmt: skip
    assert "administrator" in sh("keys", "rotate", "nyc-doc", "--as", "ice-nyc-admin", code=2)
    rotated = sh.json("keys", "rotate", "nyc-doc", "--as", "nyc-doc-admin")
    listed = sh.json("keys", "list", "--as", "nyc-doc-admin")
    assert {k["purpose"] for k in listed} == {"ca", "agency"}
    assert [k["active"] for k in listed if k["purpose"] == "agency"] == [False, True]
    assert listed[-1]["id"] == rotated["id"]
    pem = tmp_path / "ca.pem"
    exported = sh.json("keys", "export-cert", "--as", "nyc-doc-officer", "--output", str(pem))
    assert exported["purpose"] == "ca"
    assert pem.read_text(encoding="ascii").startswith("-----BEGIN CERTIFICATE-----")
    assert sh("keys", "export-cert", "nyc-doc", "--as", "nyc-doc-officer").startswith("-----")


def test_attachments_from_a_shell(
    sh: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEXDESK_BLOB_DIR", str(tmp_path / "blobs"))
    reset_app()
    subpoena = an_instrument(sh, kind="administrative_subpoena")
    scan = tmp_path / "scan.tif"
    scan.write_bytes(b"II*\x00" + b"\x00" * 64)
    made = sh.json("attachments", "add", subpoena, str(scan), "--as", "ice-nyc-officer")
    assert made["media_type"] == "image/tiff" and len(made["sha256"]) == 64
    listed = sh.json("attachments", "list", subpoena, "--as", "nyc-doc-officer")
    assert [a["id"] for a in listed] == [made["id"]]
    out = tmp_path / "copy.tif"
    sh("attachments", "get", made["id"], "--as", "nyc-doc-officer", "--output", str(out))
    assert out.read_bytes() == scan.read_bytes()
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html>not a scan</html>", encoding="utf-8")
    said = sh("attachments", "add", subpoena, str(fake), "--as", "ice-nyc-officer", code=2)
    assert "PDF, PNG, JPEG or TIFF" in said and said.count("\n") == 1
    assert "does not exist" in sh("attachments", "add", subpoena, str(tmp_path / "no.pdf"),
                                  "--as", "ice-nyc-officer", code=2)  # fmt: skip
    assert "no attachment" in sh("attachments", "get", made["id"], "--as", "nypd-officer",
                                 "--output", str(tmp_path / "x"), code=2)  # fmt: skip


def test_service_of_process_from_a_shell(sh: Shell) -> None:
    subpoena = an_instrument(sh, kind="administrative_subpoena")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    made = sh.json("service", "add", subpoena, "--as", "ice-nyc-officer", "--method", "portal",
                   "--by", "Officer Rivera", "--at", now)  # fmt: skip
    assert made["method"] == "portal"
    listed = sh.json("service", "list", subpoena, "--as", "nyc-doc-officer")
    assert [s["id"] for s in listed] == [made["id"]]
    said = sh("service", "add", subpoena, "--as", "ice-nyc-officer", "--method", "pigeon",
              "--by", "X", "--at", now, code=2)  # fmt: skip
    assert "method of service" in said and said.count("\n") == 1


def test_a_production_from_a_shell(
    sh: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The custodian produces what it released under the court order (the demo's story);
    the requester writes its copy with the same Bates numbers; the court gets none."""
    monkeypatch.setenv("LEXDESK_BLOB_DIR", str(tmp_path / "blobs"))
    reset_app()
    order = an_instrument(sh, actor="nyc-doc-legal", kind="court_order")
    scan = tmp_path / "records.pdf"
    scan.write_bytes(weasyprint.HTML(string="<p>Records of the order</p>").write_pdf())
    sh("attachments", "add", order, str(scan), "--answer", "--as", "nyc-doc-legal")
    ours = tmp_path / "ours.pdf"
    made = sh.json("documents", "produce", order, "--as", "nyc-doc-legal", "--output", str(ours))
    numbers = made["production"]
    assert (numbers["bates_prefix"], numbers["bates_first"]) == ("NYC-DOC", 1)
    assert numbers["pages"] == numbers["bates_last"] == 2 and numbers["recipients"] == ["ice-nyc"]
    checked = subprocess.run(["pdfsig", str(ours)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in checked.stdout
    theirs = tmp_path / "theirs.pdf"
    copy = sh.json(
        "documents", "produce", order, "--as", "ice-nyc-officer", "--output", str(theirs)
    )
    assert copy["production"] == numbers and copy["code"] != made["code"]
    assert verify(sh, theirs)[0] == 0
    said = sh("documents", "produce", order, "--as", "edny-legal", "--output",
              str(tmp_path / "court.pdf"), code=2)  # fmt: skip
    assert said.count("\n") == 1 and not (tmp_path / "court.pdf").exists()


def test_paper_from_a_shell(sh: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A subpoena served on paper is recorded by the custodian with its scan; the issuer's
    copy is marked until it confirms; a missing scan is one line and exit 2."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("LEXDESK_BLOB_DIR", str(tmp_path / "blobs"))
    reset_app()
    now = datetime.now(ZoneInfo("America/New_York")).replace(microsecond=0)
    scan = tmp_path / "subpoena.pdf"
    scan.write_bytes(weasyprint.HTML(string="<p>Subpoena for records</p>").write_pdf())
    made = sh.json(
        "instruments", "record-paper", "--as", "nyc-doc-officer",
        "--kind", "administrative_subpoena", "--from", "ice-nyc", "--person", "nysid:90000002M",
        "--action", "disclose:home_address", "--issued", (now - timedelta(days=2)).isoformat(),
        "--received", (now - timedelta(days=1)).isoformat(), "--method", "in_person",
        "--due", business_day_ahead(20),
        "--scan", str(scan), "--reference", "I-138-PAPER",
    )  # fmt: skip
    assert made["recorded_by"] == "nyc-doc" and made["confirmed_at"] is None
    theirs = sh.json("instruments", "show", made["id"], "--as", "ice-nyc-officer")
    assert theirs["recorded_by"] == "nyc-doc"
    listed = sh.json("attachments", "list", made["id"], "--as", "ice-nyc-officer")
    assert [a["filename"] for a in listed] == ["subpoena.pdf"]
    said = sh("documents", "render", made["id"], "--as", "ice-nyc-officer", "--output",
              str(tmp_path / "x.pdf"), code=2)  # fmt: skip
    assert "recorded from paper" in said and said.count("\n") == 1
    confirmed = sh.json("instruments", "confirm", made["id"], "--as", "ice-nyc-officer")
    assert confirmed["confirmed_at"] is not None
    missing = sh("instruments", "record-paper", "--as", "nyc-doc-officer",
                 "--kind", "detainer", "--from", "ice-nyc", "--person", "nysid:90000002M",
                 "--action", "hold", "--issued", now.isoformat(), "--received", now.isoformat(),
                 "--scan", str(tmp_path / "none.pdf"), code=2)  # fmt: skip
    assert "does not exist" in missing and missing.count("\n") == 1

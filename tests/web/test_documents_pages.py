"""Documents in the web: preview and download from the case page, and the public ``/verify``
page (no sign-in, rate-limited, audited)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.bootstrap import App
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import sent_back, sign_in
from tests.web.story import Story


@pytest.fixture
def request_id(built: App, story: Story) -> str:
    desk = built.desk
    made = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:home_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", made.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", made.id, "declined", "Local law."))
    return made.id


def csrf_of(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def test_the_case_page_links_each_document_and_serves_it_signed(
    client: TestClient, story: Story, clock: FakeClock, built: App, request_id: str
) -> None:
    sign_in(client, story, clock, "ice-nyc-officer")
    with built.engine.connect() as db:
        case = db.scalar(
            select(orm.instruments.c.case_id).where(orm.instruments.c.id == request_id)
        )
    page = client.get(f"/cases/{case}").text
    assert f'href="/instruments/{request_id}/document.pdf?inline=true"' in page
    assert f'href="/instruments/{request_id}/document.pdf?answer=true"' in page
    download = client.get(f"/instruments/{request_id}/document.pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert download.headers["cache-control"] == "no-store"
    preview = client.get(f"/instruments/{request_id}/document.pdf?inline=true")
    assert preview.headers["content-disposition"].startswith("inline;")
    letter = client.get(f"/instruments/{request_id}/document.pdf?answer=true")
    assert letter.status_code == 200 and b"/Reason" in letter.content


def test_an_agency_that_may_not_see_it_gets_404(
    client: TestClient, story: Story, clock: FakeClock, request_id: str
) -> None:
    sign_in(client, story, clock, "usao-edny-officer")
    assert client.get(f"/instruments/{request_id}/document.pdf").status_code == 404


def test_verify_answers_without_sign_in(
    client: TestClient, story: Story, clock: FakeClock, built: App, request_id: str
) -> None:
    page = client.get("/verify")
    assert page.status_code == 200 and "Verify a document" in page.text
    sign_in(client, story, clock, "ice-nyc-officer")
    pdf = client.get(f"/instruments/{request_id}/document.pdf").content
    client.cookies.clear()
    form = client.get("/verify")
    answer = client.post(
        "/verify",
        data={"csrf": csrf_of(form.text)},
        files={"file": ("d.pdf", pdf, "application/pdf")},
    )
    assert answer.status_code == 200 and "Authentic" in answer.text
    assert "Information request" in answer.text and "answered" in answer.text
    assert story.nysid not in answer.text and "Quintal" not in answer.text
    changed = bytearray(pdf)
    changed[changed.index(b"/Producer") + 12] ^= 1
    answer = client.post(
        "/verify",
        data={"csrf": csrf_of(form.text)},
        files={"file": ("d.pdf", bytes(changed), "application/pdf")},
    )
    assert "Altered" in answer.text
    code = pdf.split(b"lexdesk verification code ")[1][:40].split(b")")[0].decode()
    code = code.replace("\\055", "-")
    assert "Authentic" in client.get(f"/verify?code={code}").text
    unknown = client.get("/verify?code=0000-0000-0000")
    assert unknown.status_code == 200 and "Unknown" in unknown.text
    bad = client.get("/verify?code=abc")
    assert bad.status_code == 400 and "12 letters" in bad.text
    with built.engine.connect() as db:
        table = orm.audit_log
        lookups = db.scalar(
            select(func.count()).select_from(table).where(table.c.action == "document.verify")
        )
    assert lookups == 5


def test_verify_refuses_bad_files_and_forged_forms(client: TestClient) -> None:
    form = client.get("/verify")
    no_csrf = client.post("/verify", files={"file": ("d.pdf", b"%PDF-1.7", "application/pdf")})
    assert no_csrf.status_code == 403
    not_pdf = client.post(
        "/verify",
        data={"csrf": csrf_of(form.text)},
        files={"file": ("d.pdf", b"GIF89a", "application/pdf")},
    )
    assert not_pdf.status_code == 400 and "not a PDF" in not_pdf.text


def test_verify_is_rate_limited(client: TestClient, web_app: FastAPI) -> None:
    web_app.state.verify_limiter = RateLimiter(1, 60)
    assert client.get("/verify?code=0000-0000-0000").status_code == 200
    assert client.get("/verify?code=0000-0000-0000").status_code == 429


def test_attachments_are_uploaded_listed_and_downloaded(
    client: TestClient, story: Story, clock: FakeClock, built: App, request_id: str, tmp_path: Path
) -> None:
    object.__setattr__(built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    sign_in(client, story, clock, "nyc-doc-officer")
    page = client.get(f"/instruments/{request_id}/attachments")
    assert page.status_code == 200 and "No files your agency may read" in page.text
    scan = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
    sent = client.post(
        f"/instruments/{request_id}/attachments",
        data={"csrf": csrf_of(page.text), "on": "instrument"},
        files={"file": ("served subpoena.pdf", scan, "application/pdf")},
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"])
    assert "The file is attached" in page.text
    link = page.text.split('href="/attachments/')[1].split('"')[0]
    assert "served subpoena.pdf" in page.text
    got = client.get(f"/attachments/{link}")
    assert got.status_code == 200 and got.content == scan
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["cache-control"] == "no-store"
    wrong = client.post(
        f"/instruments/{request_id}/attachments",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("x.pdf", b"<html>no</html>", "application/pdf")},
    )
    assert "PDF, PNG, JPEG or TIFF" in sent_back(client, wrong).text
    forged = client.post(
        f"/instruments/{request_id}/attachments",
        data={"csrf": "forged"},
        files={"file": ("x.pdf", scan, "application/pdf")},
    )
    assert forged.status_code == 403
    client.cookies.clear()
    sign_in(client, story, clock, "usao-edny-officer")
    assert client.get(f"/instruments/{request_id}/attachments").status_code == 404
    assert client.get(f"/attachments/{link}").status_code == 404


def test_the_custodian_produces_from_the_case_page_and_the_requester_downloads(
    client: TestClient, story: Story, clock: FakeClock, built: App, tmp_path: Path
) -> None:
    object.__setattr__(built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    desk = built.desk
    made = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:home_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", made.id))
    verbs.determine(
        desk,
        verbs.Determine(
            "nyc-doc-legal", made.id, "complied", "Released as the law permits.", ("home_address",)
        ),
    )
    sign_in(client, story, clock, "nyc-doc-officer")  # may not answer, so may not produce
    assert f'id="{made.id}-produce"' not in client.get(f"/cases/{made.case_id}").text
    sign_in(client, story, clock, "nyc-doc-legal")
    page = client.get(f"/cases/{made.case_id}").text
    assert f'id="{made.id}-produce"' in page and f"{made.id}-production" not in page
    done = client.post(f"/instruments/{made.id}/production", data={"csrf": csrf_of(page)})
    assert done.status_code == 303 and "done=produced" in done.headers["location"]
    page = client.get(done.headers["location"]).text
    assert "The records are produced" in page and f'id="{made.id}-produce"' not in page
    assert "Download the production (Bates NYC-DOC-000001 – NYC-DOC-000001, 1 page)" in page
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get(f"/cases/{made.case_id}").text
    assert f'href="/instruments/{made.id}/production.pdf"' in page
    copy = client.get(f"/instruments/{made.id}/production.pdf")
    assert copy.status_code == 200 and copy.content.startswith(b"%PDF-")
    assert copy.headers["cache-control"] == "no-store"
    # A second production of the same answer is refused on the case page, by GET.
    sign_in(client, story, clock, "ice-nyc-legal")
    token = csrf_of(client.get(f"/cases/{made.case_id}").text)
    refused = client.post(f"/instruments/{made.id}/production", data={"csrf": token})
    assert "Only the agency that released the records produces them" in (
        sent_back(client, refused).text
    )

"""A published transparency report as a signed PDF (issue 12, item 4): made once and the same
file for everyone, on the page and in the API; its signature checked by poppler's ``pdfsig``;
verifiable like any document, and told apart once a later edition corrects it."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lexdesk.adapters.report_definitions import load_reports
from lexdesk.bootstrap import App
from lexdesk.domain.documents import DocumentKind, Result, Standing
from lexdesk.entrypoints.app import create_app
from lexdesk.queries.transparency import compute_report, report_request
from lexdesk.services import agencies, documents, transparency
from tests.documents_world import needs_poppler
from tests.report_ladder import Ladder, build_ladder, publish


@pytest.fixture
def published_id(built: App) -> str:
    with built.engine.begin() as db:
        build_ladder(db)
    agencies.add_user(built.desk, agencies.AddUser("doc-admin", "doc", "Admin", ("admin",)))
    return publish(built.desk, built.engine, "general", "doc", "2020", "doc-admin")


def _pdf(client: TestClient, url: str) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert answer.headers["x-content-type-options"] == "nosniff"
    return answer.content


@needs_poppler
def test_the_signed_pdf_is_made_once_signed_by_the_agency_and_shows_no_person(
    client: TestClient, built: App, published_id: str, tmp_path: Path
) -> None:
    page = client.get(f"/transparency/{published_id}").text
    assert f'href="/transparency/{published_id}.pdf"' in page
    pdf = _pdf(client, f"/transparency/{published_id}.pdf")
    assert _pdf(client, f"/transparency/{published_id}.pdf") == pdf  # the same file again
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in checked.stdout, checked.stdout
    assert "Department of Correction" in checked.stdout  # the signer: the agency
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Legal process received and answered" in text and "2020" in text
    assert "suppressed" in text and "below 5" in text
    assert "Synthetic" not in text  # counts, never a person


def test_the_pdf_verifies_and_says_when_a_later_edition_corrected_it(
    client: TestClient, built: App, published_id: str
) -> None:
    pdf = _pdf(client, f"/transparency/{published_id}.pdf")
    verdict = documents.verify_file(built.desk, pdf, source="test")
    assert verdict.result is Result.AUTHENTIC
    assert verdict.kind is DocumentKind.TRANSPARENCY_REPORT
    assert verdict.issuer_agency_id == "doc" and verdict.standing is Standing.PUBLISHED
    altered = pdf.replace(b"Transparency", b"Transparencz", 1)
    assert altered != pdf
    assert documents.verify_file(built.desk, altered, source="test").result is Result.ALTERED
    # A correction is published: the first edition's PDF is still authentic, and corrected.
    with built.engine.begin() as db:
        ladder = Ladder(db, itertools.count(5000))
        ladder.instrument(ladder.case(ladder.person()), "detainer", "2020-03-30 15")
    computed = _recomputed(built)
    transparency.publish_report(
        built.desk,
        transparency.PublishReport("doc-admin", computed, "A detainer recorded late is counted."),
    )
    again = documents.verify_file(built.desk, pdf, source="test")
    assert again.result is Result.AUTHENTIC and again.standing is Standing.CORRECTED


def test_the_api_serves_the_same_pdf_and_404_for_an_unknown_report(
    built: App, published_id: str
) -> None:
    client = TestClient(create_app(built), base_url="https://testserver")
    pdf = _pdf(client, f"/api/v1/reports/{published_id}.pdf")
    assert _pdf(client, f"/transparency/{published_id}.pdf") == pdf
    checked = client.post("/api/v1/verifications", files={"file": ("report.pdf", pdf)})
    assert checked.status_code == 200, checked.text
    answer = checked.json()
    assert answer["result"] == "authentic" and answer["kind"] == "transparency_report"
    assert answer["standing"] == "published"
    by_code = client.post("/api/v1/verifications", json={"code": answer["code"]}).json()
    assert by_code["standing"] == "published"
    assert client.get("/api/v1/reports/rep-0000000000000000.pdf").status_code == 404
    assert client.get("/transparency/rep-0000000000000000.pdf").status_code == 404


def _recomputed(built: App) -> dict[str, Any]:
    with built.engine.connect() as db:
        definition, profile, period = report_request(db, load_reports(), "general", "doc", "2020")
        return compute_report(db, definition, profile, period).to_json()

"""``/verify`` in Chromium, without signing in: the form, a code typed and checked, a PDF
uploaded and checked; axe-core on each state of the page. And the case page's document
links, reachable by keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lexdesk.services import accounts, documents, instruments
from tests.browser.conftest import Site, accessible, signed_in


def _issued(site: Site) -> str:
    return instruments.issue_instrument(
        site.built.desk,
        instruments.IssueInstrument(
            "ice-nyc-officer", "notification_request", "nyc-doc", f"nysid:{site.story.nysid}",
            ("notify_release",), "administrative",
        ),
    ).id  # fmt: skip


def test_a_stranger_verifies_a_document(browser: Any, site: Site, tmp_path: Path) -> None:
    reader = accounts.principal_at_command_line(site.built.desk, "ice-nyc-officer")
    made = documents.render(site.built.desk, reader, _issued(site), source="test")
    page = browser.new_context(base_url=site.url).new_page()
    page.goto("/verify")
    accessible(page)
    page.get_by_label("Verification code").fill(made.record.code.lower())
    page.get_by_role("button", name="Check the code").click()
    page.wait_for_selector("#verdict")
    assert "Authentic" in page.locator("#verdict").inner_text()
    assert "Yes, in force" in page.content()
    accessible(page)
    pdf = tmp_path / "request.pdf"
    pdf.write_bytes(made.pdf)
    page.locator("input#file").set_input_files(str(pdf))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("#verdict")
    assert "This file is the very document" in page.locator("#verdict").inner_text()
    accessible(page)
    page.goto("/verify?code=0000-0000-0000")
    assert "Unknown" in page.locator("#verdict").inner_text()
    accessible(page)


def test_the_case_page_offers_the_signed_pdf(browser: Any, site: Site) -> None:
    instrument_id = _issued(site)
    page = signed_in(browser, site, "ice-nyc-officer")
    with site.built.desk.uow() as uow:
        case = uow.cases.of_instrument(instrument_id)
        assert case is not None
    page.goto(f"/cases/{case.id}")
    page.locator(f"details[id='{instrument_id}']").evaluate("d => { d.open = true; }")
    accessible(page)
    link = page.locator(f"#{instrument_id}-download")
    with page.expect_download() as waiting:
        link.focus()
        page.keyboard.press("Enter")
    download = waiting.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")

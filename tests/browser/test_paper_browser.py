"""Paper intake in Chromium (issue 10, item 5): the custodian records a paper served on it,
refused first (the error summary takes the focus), then recorded with its scan; the issuer
sees it marked and confirms it; axe-core on each state."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from lexdesk.adapters.blobs import LocalBlobStore
from tests.browser.conftest import Site, accessible, signed_in, tick

SCAN = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def test_paper_is_recorded_then_confirmed_by_its_issuer(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    object.__setattr__(site.built.desk, "blobs", LocalBlobStore(tmp_path / "blobs"))
    scan = tmp_path / "served.pdf"
    scan.write_bytes(SCAN)
    page = signed_in(browser, site, "nyc-doc-officer")
    page.goto("/persons")
    page.click("text=Record paper received")
    page.wait_for_selector("h1:text('Record paper received')")
    accessible(page)
    page.click("button:text-is('Record it')")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    accessible(page)
    today = site.clock.now().date()
    page.select_option("#kind", "information_request")
    page.select_option("#issuer", "ice-nyc")
    page.fill("#person", f"nysid:{site.story.nysid}")
    tick(page, "disclose release date")
    page.fill("#issued_on", (today - timedelta(days=2)).isoformat())
    page.fill("#received_on", (today - timedelta(days=1)).isoformat())
    page.fill("#reference", "PAPER-9")
    page.set_input_files("#scan", str(scan))
    page.click("button:text-is('Record it')")
    page.wait_for_url("**/cases/**")
    assert "The paper is recorded" in page.locator("#done").inner_text()
    accessible(page)
    issuer = signed_in(browser, site, "ice-nyc-officer")
    issuer.goto(page.url.split("?")[0])
    confirm = issuer.locator("button:text-is('Confirm it is ours')")
    assert confirm.count() == 1 and "has not confirmed it" in issuer.content()
    accessible(issuer)
    confirm.click()
    issuer.wait_for_url("**done=confirmed**")
    assert "confirmed by" in issuer.content()
    accessible(issuer)

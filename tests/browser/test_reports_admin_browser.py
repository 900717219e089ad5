"""An administrator previews a transparency report in Chromium and publishes it; the preview
and the published page pass axe-core (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, accessible, signed_in
from tests.browser.test_admin_pages import confirmed


def test_an_administrator_previews_and_publishes_a_report(browser: Any, site: Site) -> None:
    page = signed_in(browser, site, "nyc-doc-admin")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(lambda url: "/confirm?next=/admin/reports" in url)
    confirmed(page, site, "nyc-doc-admin")
    page.wait_for_url(f"{site.url}/admin/reports")
    accessible(page)
    page.select_option("#report", "general")
    page.fill("#period", "2019")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**period=2019**")
    assert "Preview, not published" in page.content()
    accessible(page)
    page.get_by_role("button", name="Publish these figures").click()
    page.wait_for_url("**/transparency/rep-**")
    assert "Published: this is the edition everyone now reads." in page.content()
    accessible(page)

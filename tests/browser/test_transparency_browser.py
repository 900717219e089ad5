"""The public transparency pages pass axe-core in Chromium, signed in or not, with a report's
trend across periods and before it has one."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, accessible
from tests.report_ladder import publish


def test_the_transparency_pages_are_accessible_without_signing_in(browser: Any, site: Site) -> None:
    published = publish(
        site.built.desk, site.built.engine, "general", "nyc-doc", "2020", "nyc-doc-admin"
    )
    page = browser.new_context(base_url=site.url).new_page()
    page.goto("/transparency")
    assert "Transparency reports" in page.content()
    accessible(page)
    page.click(f'a[href="/transparency/{published}"]')
    page.wait_for_url(f"{site.url}/transparency/{published}")
    assert "is not published" in page.content()
    assert "once a second period of this report is published" in page.content()
    accessible(page)
    # A second period: each figure's trend, a column chart with its data table, passes too.
    publish(site.built.desk, site.built.engine, "general", "nyc-doc", "2019", "nyc-doc-admin")
    page.reload()
    trend = page.locator('svg.report-trend[aria-labelledby^="trend-instruments_received-title"]')
    assert trend.is_visible()
    assert "2020 (this report)" in page.locator("#trend-instruments_received-desc").text_content()
    assert "once a second period of this report is published" not in page.content()
    accessible(page)

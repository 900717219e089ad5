"""The public transparency pages pass axe-core in Chromium, signed in or not."""

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
    accessible(page)

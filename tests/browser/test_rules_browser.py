"""The law's pages pass axe-core and can be walked by keyboard from the header."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, accessible, signed_in


def test_the_law_pages_are_accessible(browser: Any, site: Site) -> None:
    legal = signed_in(browser, site, "nyc-doc-legal")
    legal.click("text=The law")
    legal.wait_for_url(f"{site.url}/rules")
    accessible(legal)
    legal.goto("/rules/us-ny-nyc-doc")
    assert "§ 9-131" in legal.content()
    accessible(legal)
    legal.goto("/rules/us-ny-nyc-doc/diff?before=2013-06-16&after=2014-12-14")
    assert "Added" in legal.content()
    accessible(legal)


def test_the_law_is_not_in_other_roles_headers(browser: Any, site: Site) -> None:
    officer = signed_in(browser, site, "nyc-doc-officer")
    assert officer.locator("text=The law").count() == 0

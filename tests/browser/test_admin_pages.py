"""The administrator's and the auditor's pages pass axe-core too."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, accessible, signed_in


def test_administration_and_audit_pages_are_accessible(browser: Any, site: Site) -> None:
    admin = signed_in(browser, site, "nypd-admin")
    for url in ("/admin/users", "/admin/tokens", "/admin/agencies"):
        admin.goto(url)
        accessible(admin)
    admin.goto("/admin/tokens")
    admin.fill("#name", "jail management system")
    admin.click('label:text-is("cases:read")')
    admin.click("text=Create the token")
    assert admin.locator("#new-token").is_visible()
    accessible(admin)
    auditor = signed_in(browser, site, "nypd-auditor")
    auditor.goto("/audit")
    assert "Chain verified" in auditor.content()
    accessible(auditor)

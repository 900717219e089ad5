"""The administrator's and the auditor's pages, and a custodian's people pages, pass
axe-core too."""

from __future__ import annotations

from typing import Any

import pyotp

from tests.browser.conftest import Site, accessible, signed_in


def confirmed(page: Any, site: Site, username: str) -> None:
    """On the "Confirm it's you" page (checked by axe-core too): password and the next code."""
    accessible(page)
    site.clock.advance(minutes=1)  # a code is never accepted twice: the sign-in used this one
    page.fill("#password", site.story.password)
    page.fill("#code", pyotp.TOTP(site.story.secrets[username]).at(site.clock.now()))
    page.press("#code", "Enter")


def test_administration_and_audit_pages_are_accessible(browser: Any, site: Site) -> None:
    admin = signed_in(browser, site, "nypd-admin")
    admin.goto("/admin/users")
    assert "/confirm?next=/admin/users" in admin.url
    confirmed(admin, site, "nypd-admin")
    admin.wait_for_url(f"{site.url}/admin/users")
    for url in ("/admin/users", "/admin/tokens", "/admin/agencies", "/account/password"):
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


def test_the_custodians_people_pages_are_accessible(browser: Any, site: Site) -> None:
    officer = signed_in(browser, site, "nyc-doc-officer")
    officer.click("text=People")
    officer.wait_for_url(f"{site.url}/persons")
    accessible(officer)
    officer.click("text=QUINTAL, Dario")
    assert "New expected release" in officer.content()
    accessible(officer)
    officer.goto("/persons/new")
    accessible(officer)

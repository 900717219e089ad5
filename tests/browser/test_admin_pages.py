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


def test_the_account_review_and_the_enrolment_pages_are_accessible(
    browser: Any, site: Site
) -> None:
    admin = signed_in(browser, site, "nypd-admin")
    admin.goto("/admin/users")
    confirmed(admin, site, "nypd-admin")
    admin.wait_for_url(f"{site.url}/admin/users")
    admin.click("text=Annual account review")
    admin.wait_for_url(f"{site.url}/admin/users/review")
    assert "Account review of" in admin.content()
    accessible(admin)
    admin.goto("/admin/users")
    admin.fill("#username", "nypd-temp")
    admin.fill("#display_name", "A Temporary Clerk")
    admin.click('label:text-is("supervisor")')
    admin.fill("#password", site.story.password)
    admin.fill("#ends_on", "2020-02-28")
    admin.click("text=Add the user")
    code = admin.locator("#enrolment-code").inner_text()
    accessible(admin)  # the page that shows the code once
    site.clock.advance(minutes=1)
    holder = browser.new_context(base_url=site.url).new_page()
    holder.goto("/login")
    holder.click('label[for="acknowledge"]')
    holder.fill("#username", "nypd-temp")
    holder.fill("#password", site.story.password)
    holder.press("#password", "Enter")
    holder.wait_for_url("**/login/code")
    accessible(holder)  # the enrolment code's page
    holder.fill("#enrolment_code", code)
    holder.press("#enrolment_code", "Enter")
    holder.wait_for_selector("#totp-secret")
    accessible(holder)  # the QR code and key
    seed = holder.locator("#totp-secret").inner_text()
    holder.fill("#code", pyotp.TOTP(seed).at(site.clock.now()))
    holder.press("#code", "Enter")
    holder.wait_for_url(lambda url: "/login" not in url)

"""Administration without dead ends in Chromium: disabling takes a confirmation step, Enable
brings the account back, Unlock appears only for a locked account, a role that needs a second
administrator waits for their approval, and a failed form's error summary takes the focus and
links to each field, by keyboard alone; axe-core checks every state of every page."""

from __future__ import annotations

import contextlib
from typing import Any

from lexdesk.domain.errors import NotAuthenticated
from lexdesk.services import accounts, agencies
from tests.browser.conftest import Site, accessible, signed_in
from tests.browser.test_admin_pages import confirmed
from tests.browser.test_keyboard import focus


def admin_page(browser: Any, site: Site, username: str) -> Any:
    page = signed_in(browser, site, username)
    page.goto("/admin/users")
    if "/confirm" in page.url:
        confirmed(page, site, username)
        page.wait_for_url(f"{site.url}/admin/users")
    accessible(page)
    return page


def active_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def test_disabling_asks_first_and_enable_brings_the_account_back(browser: Any, site: Site) -> None:
    page = admin_page(browser, site, "nyc-doc-admin")
    assert page.locator('a[href="/admin/users/nyc-doc-admin/disable"]').count() == 0
    focus(page, 'a[href="/admin/users/nyc-doc-officer/disable"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users/nyc-doc-officer/disable")
    assert page.locator("h1").inner_text() == "Disable nyc-doc-officer?"
    accessible(page)
    page.click("text=Cancel")  # nothing happens without the second step
    page.wait_for_url(f"{site.url}/admin/users")
    assert "disabled" not in page.locator("tr", has_text="nyc-doc-officer").inner_text()
    page.goto("/admin/users/nyc-doc-officer/disable")
    focus(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?done=disabled&user=nyc-doc-officer")
    assert (
        page.locator(".usa-alert--success")
        .inner_text()
        .startswith("The account nyc-doc-officer is disabled")
    )
    accessible(page)
    row = page.locator("tr", has_text="nyc-doc-officer")
    assert "disabled" in row.inner_text()
    row.locator("button", has_text="Enable").click()
    page.wait_for_url("**/admin/users?done=enabled&user=nyc-doc-officer")
    assert "it can sign in again" in page.locator(".usa-alert--success").inner_text()
    accessible(page)


def test_unlock_appears_only_for_a_locked_account(browser: Any, site: Site) -> None:
    page = admin_page(browser, site, "nypd-admin")
    assert page.locator("button", has_text="Unlock").count() == 0
    for attempt in range(5):  # from five addresses: one alone is throttled first
        with contextlib.suppress(NotAuthenticated):
            accounts.begin_login(site.built.desk, "nypd-legal", "wrong", f"192.0.2.{attempt}")
    page.reload()
    if "/confirm" in page.url:
        confirmed(page, site, "nypd-admin")
        page.wait_for_url(f"{site.url}/admin/users")
    unlock = page.locator("button", has_text="Unlock")
    assert unlock.count() == 1
    assert "nypd-legal" in page.locator("tr", has=unlock).inner_text()
    accessible(page)
    unlock.click()
    page.wait_for_url("**/admin/users?done=unlocked&user=nypd-legal")
    assert page.locator("button", has_text="Unlock").count() == 0
    accessible(page)


def test_the_error_summary_takes_the_focus_and_links_to_each_field(
    browser: Any, site: Site
) -> None:
    page = admin_page(browser, site, "edny-admin")
    focus(page, "#username")
    page.keyboard.type("Not A Name")
    focus(page, "#display_name")
    page.keyboard.insert_text("w" * 10_000)  # maxlength keeps it to 200 in the browser
    assert len(page.input_value("#display_name")) == 200
    focus(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert active_id(page) == "error-summary"
    summary = page.locator("#error-summary")
    assert summary.locator("a").all_inner_texts() == [
        "Use 2 to 63 lowercase letters, digits and dashes, for example doc-clerk.",
        "Choose at least one role.",
        "Enter an initial password.",
    ]
    accessible(page)
    for number, target in enumerate(("username", "roles-1", "password"), start=1):
        page.focus("#error-summary")
        for _ in range(number):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == f"#{target}"
        page.keyboard.press("Enter")
        assert active_id(page) == target
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def test_a_long_value_wraps_instead_of_widening_the_page(browser: Any, site: Site) -> None:
    page = admin_page(browser, site, "usao-edny-admin")
    page.goto("/admin/tokens")
    page.evaluate("document.querySelector('#name').removeAttribute('maxlength')")
    page.fill("#name", "z" * 10_000)
    page.click('label:text-is("cases:read")')
    page.click("text=Create the token")
    page.wait_for_selector("#error-summary")
    assert "10,000 characters long" in page.locator("#name-error").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    accessible(page)


def test_a_lawyer_is_granted_when_a_second_administrator_approves(browser: Any, site: Site) -> None:
    command = agencies.AddUser("ice-nyc-admin2", "ice-nyc", "Second Admin", ("admin",))
    enrolment = accounts.add_account(site.built.desk, command, site.story.password)[1]
    site.story.secrets["ice-nyc-admin2"] = enrolment.totp_secret
    first = admin_page(browser, site, "ice-nyc-admin")
    first.goto("/admin/users/ice-nyc-officer/roles")
    accessible(first)
    first.click('label:text-is("legal")')
    first.fill("#reason", "covers the weekend desk")
    first.click("text=Change the roles")
    first.wait_for_url("**/admin/users?done=requested&user=ice-nyc-officer")
    grants = first.locator("table", has_text="covers the weekend desk")
    assert "Awaits another administrator." in grants.inner_text()
    assert grants.locator("button").count() == 0
    accessible(first)
    second = admin_page(browser, site, "ice-nyc-admin2")
    row = second.locator("tr", has_text="covers the weekend desk")
    focus(second, "main form[action$='/approve'] button")
    second.keyboard.press("Enter")
    second.wait_for_url("**/admin/users?done=approved&user=ice-nyc-officer")
    assert row.count() == 0
    assert "legal, officer" in second.locator("tr", has_text="ice-nyc-officer").first.inner_text()
    accessible(second)

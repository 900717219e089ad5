"""Notifications in the browser: the header's count, the list marked read by keyboard, the
preferences form with an error (focused, under its field), the calendar feed's address shown
once, an administrator's webhook with its secret shown once, and the dead letters; axe-core
on every page."""

from __future__ import annotations

import re
from typing import Any

from lexdesk.services import instruments
from lexdesk.services.worker import Schedule, Worker
from tests.browser.conftest import Site, accessible, signed_in


def unread_in_header(page: Any) -> int:
    """The count the header's link gives, by its accessible name "Notifications (N unread)"."""
    link = page.get_by_role("link", name=re.compile(r"^Notifications \(\d+\s*unread\s*\)$"))
    match = re.search(r"\((\d+)\s*unread\s*\)", link.evaluate("e => e.textContent"))
    assert match, "the header names no count"
    return int(match.group(1))


def test_the_notifications_list_is_read_by_keyboard(browser: Any, site: Site) -> None:
    for kind, actions in (
        ("detainer", ("notify_release",)),
        ("information_request", ("disclose:release_date",)),
    ):
        instruments.issue_instrument(
            site.built.desk,
            instruments.IssueInstrument(
                "ice-nyc-officer", kind, "nyc-doc", f"nysid:{site.story.nysid}", actions,
                "administrative",
            ),
        )  # fmt: skip
    assert Worker(site.built.desk, {}, name="browser", schedule=Schedule()).deliver().expanded
    page = signed_in(browser, site, "nyc-doc-officer")
    before = unread_in_header(page)
    assert before >= 2
    page.get_by_role("link", name=re.compile(r"^Notifications \(")).click()
    page.wait_for_url(f"{site.url}/notifications")
    accessible(page)
    assert page.get_by_text("Unread", exact=True).count() == before
    first = page.get_by_role("button", name=re.compile(r"^Mark as read\s*:"))
    first.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/notifications")
    assert unread_in_header(page) == before - 1
    page.get_by_role("link", name="Show unread only").click()
    page.wait_for_url(f"{site.url}/notifications?unread=1")
    accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url(f"{site.url}/notifications?unread=1")
    assert unread_in_header(page) == 0
    assert "No unread notifications." in page.content()


def test_preferences_with_an_error_and_the_calendar_feed(browser: Any, site: Site) -> None:
    page = signed_in(browser, site, "nyc-doc-legal")
    page.goto("/notifications/preferences")
    accessible(page)
    page.get_by_label("Reminders: a due time or a release is near: By e-mail").focus()
    page.keyboard.press("Space")  # the keyboard unticks it
    page.fill("#email", "not an address")
    page.press("#email", "Enter")
    page.wait_for_load_state()
    assert page.locator("#email-error").is_visible()
    assert "is not an e-mail address" in page.locator("#email-error").inner_text()
    assert page.evaluate("document.activeElement.id") == "email"
    accessible(page)
    page.fill("#email", "legal@doc.example")
    page.press("#email", "Enter")
    page.wait_for_url(f"{site.url}/notifications/preferences?saved=1")
    assert "Your preferences are saved." in page.content()
    box = page.get_by_label("Reminders: a due time or a release is near: By e-mail")
    assert not box.is_checked()
    page.get_by_role("button", name="Make a new feed address").click()
    url = page.locator("#feed-url").inner_text()
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    accessible(page)
    feed = page.request.get(url.replace("http://127.0.0.1:8000", site.url))
    assert feed.status == 200 and feed.text().startswith("BEGIN:VCALENDAR")
    page.goto("/notifications/preferences")
    assert url not in page.content()


def test_an_administrator_adds_a_webhook_and_sees_the_secret_once(browser: Any, site: Site) -> None:
    admin = signed_in(browser, site, "nypd-admin")
    admin.get_by_role("link", name="Webhooks").click()
    admin.wait_for_url(f"{site.url}/admin/webhooks")
    accessible(admin)
    admin.fill("#url", "ftp://nowhere")
    admin.get_by_role("button", name="Add the subscription").click()
    assert admin.locator("#url-error").is_visible()
    assert admin.evaluate("document.activeElement.id") == "url"
    accessible(admin)
    admin.fill("#url", "https://hooks.nypd.example/lexdesk")
    admin.click('label:text-is("Something new arrives for my agency")')
    admin.get_by_role("button", name="Add the subscription").click()
    secret = admin.locator("#new-secret").inner_text()
    assert secret.startswith("whsec_")
    accessible(admin)
    admin.goto("/admin/webhooks")
    assert secret not in admin.content() and "https://hooks.nypd.example/lexdesk" in admin.content()
    admin.get_by_role("link", name="Messages the desk gave up on").click()
    admin.wait_for_url(f"{site.url}/admin/outbox")
    accessible(admin)

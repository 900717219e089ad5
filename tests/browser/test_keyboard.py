"""Every form can be used with the keyboard alone: a request issued, reviewed and sent without
a pointer, checkboxes and radio buttons included (USWDS hides the native inputs visually)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site, accessible, signed_in


def focus(page: Any, selector: str) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_a_request_is_issued_with_the_keyboard_alone(browser: Any, site: Site) -> None:
    page = signed_in(browser, site, "ice-chi-officer", check=True)
    page.goto("/instruments/new")
    focus(page, "#kind")
    page.keyboard.type("notification")  # a native select picks the option by typing
    focus(page, "#addressee")
    page.keyboard.type("NYC")
    focus(page, "#person")
    page.keyboard.type(f"nysid:{site.story.nysid}")
    focus(page, "input[value='notify_release']")
    page.keyboard.press("Space")
    focus(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Check before you send")
    accessible(page)
    focus(page, "button[value=yes][name=confirmed]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/**")
    assert "Notification request · issued" in page.content()

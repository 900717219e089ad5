"""Forms, feedback and navigation in Chromium (issue 13, items 2 and 3): a failed submit puts
the focus on an error summary whose links lead to each field; every action ends on a page that
says it was done; Back after Send never sends again; a second tab's stale action is refused
with words; a search is an address one can bookmark that names no one; axe-core on every state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from lexdesk.services import instruments as verbs
from tests.browser.conftest import Site, accessible, signed_in, tick


def instruments(site: Site) -> int:
    with site.built.engine.connect() as db:
        return int(db.execute(text("SELECT count(*) FROM instruments")).scalar() or 0)


def test_a_failed_submit_focuses_a_summary_that_links_to_each_field(
    browser: Any, site: Site
) -> None:
    page = signed_in(browser, site, "ice-nyc-officer")
    page.goto("/instruments/new")
    page.fill("#person", "not an identifier")
    page.click("text=Review")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Error:")
    links = page.locator("#error-summary a")
    assert links.count() == 4  # the kind, the custodian, the person and the actions, at once
    accessible(page)
    page.locator("#error-summary a[href='#person']").click()
    assert page.evaluate("document.activeElement.id") == "person"
    assert page.get_attribute("#person", "aria-invalid") == "true"
    assert "person-error" in (page.get_attribute("#person", "aria-describedby") or "")


def test_send_says_so_and_back_never_sends_again(browser: Any, site: Site) -> None:
    page = signed_in(browser, site, "ice-nyc-officer")
    before = instruments(site)
    page.goto("/instruments/new")
    page.select_option("#kind", "information_request")
    page.select_option("#addressee", "nyc-doc")
    page.fill("#person", f"nysid:{site.story.nysid}")
    tick(page, "disclose release date")
    page.click("text=Review")
    page.wait_for_selector("text=Check before you send")
    page.click("button:text-is('Send')")
    page.wait_for_url("**/cases/**")
    assert page.locator("#done").inner_text().startswith("The request was sent.")
    accessible(page)
    page.go_back()  # to the review page's address: a GET of the form, never a re-post
    page.wait_for_load_state()
    assert "Confirm Form Resubmission" not in page.content()
    page.reload()
    assert instruments(site) == before + 1


def test_a_second_tab_is_told_the_first_acted_already(browser: Any, site: Site) -> None:
    issued = verbs.issue_instrument(
        site.built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "notification_request", "nyc-doc", f"nysid:{site.story.nysid}",
            ("notify_release",), "none",
        ),
    )  # fmt: skip
    first = signed_in(browser, site, "nyc-doc-officer")
    second = first.context.new_page()
    for tab in (first, second):
        tab.goto(f"/cases/{issued.case_id}#{issued.id}")
    button = f"[id='{issued.id}'] button:text-is('Acknowledge receipt')"
    first.locator(button).click()
    first.wait_for_selector("#done")
    second.locator(button).click()
    second.wait_for_load_state()
    assert "Acknowledged." not in second.locator("main").inner_text()
    assert second.locator(".usa-alert--error").count() == 1
    accessible(second)


def test_a_withdrawal_by_keyboard_alone_ends_on_the_case_saying_so(
    browser: Any, site: Site
) -> None:
    issued = verbs.issue_instrument(
        site.built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{site.story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    page = signed_in(browser, site, "ice-nyc-officer")
    page.goto(f"/instruments/{issued.id}/withdraw")
    page.focus("#reason")
    page.keyboard.press("Enter")  # a textarea takes Enter: submit with the button instead
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    accessible(page)
    page.keyboard.press("Tab")  # the summary's one link
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("Sent to the wrong custodian.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/**")
    assert "Withdrawn." in page.locator("#done").inner_text()


def test_a_refusal_is_a_page_of_its_own_so_back_after_success_never_posts(
    browser: Any, site: Site
) -> None:
    """Refused, then corrected and done: Back shows the refused form again by GET, and neither
    Back nor reload posts anything (POST/redirect/GET for refusals too)."""
    issued = verbs.issue_instrument(
        site.built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{site.story.nysid}",
            ("disclose:release_date",), "none",
        ),
    )  # fmt: skip
    page = signed_in(browser, site, "ice-nyc-officer")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"/instruments/{issued.id}/withdraw")
    page.click("button:text-is('Withdraw it')")
    page.wait_for_selector("#error-summary")
    assert "draft=drf-" in page.url  # the refusal is shown by GET
    assert page.evaluate("document.activeElement.id") == "error-summary"
    accessible(page)
    page.fill("#reason", "Sent to the wrong custodian.")
    page.click("button:text-is('Withdraw it')")
    page.wait_for_url("**/cases/**")
    assert "Withdrawn." in page.locator("#done").inner_text()
    assert len(posts) == 2
    page.go_back()
    page.wait_for_load_state()
    assert "draft=drf-" in page.url and page.locator("#error-summary").count() == 1
    page.reload()
    page.go_forward()
    page.wait_for_load_state()
    assert len(posts) == 2  # Back, reload and Forward posted nothing

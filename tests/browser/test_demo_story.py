"""The demo story walked in a real browser, each step by the right user in their own context:
ICE issues a detainer, DOC sees the evaluation and declines, ICE escalates to a subpoena, the
subpoena lapses, ICE refers, the U.S. Attorney petitions, the court grants a narrowed order and
DOC complies with the permitted fields. axe-core checks every page on the way."""

from __future__ import annotations

from typing import Any

from lexdesk.queries.lists import overdue_instrument_ids
from lexdesk.services import instruments as verbs
from tests.browser.conftest import Site, accessible, signed_in, tick, tick_value


def sweep(site: Site) -> None:
    with site.built.engine.connect() as db:
        overdue = overdue_instrument_ids(db, site.clock.now())
    verbs.lapse_overdue(site.built.desk, overdue)


def searched_by_get(page: Any) -> None:
    """The search is posted, then shown by GET under an opaque id: the address can be
    bookmarked and names no one, and Back returns to the list without posting again."""
    page.fill("#q", "nobody by that name")
    page.click("button:text-is('Show')")
    page.wait_for_selector("text=0 instruments")
    assert "search=srch-" in page.url and "nobody" not in page.url
    page.fill("#q", "quint")
    page.press("#q", "Enter")
    page.wait_for_selector("text=1 instrument matching")
    assert "quint" not in page.url.lower()
    bookmarked = page.url
    page.go_back()
    page.wait_for_selector("text=0 instruments")
    page.goto(bookmarked)
    page.wait_for_selector("text=1 instrument matching")


def issue_detainer(page: Any, site: Site) -> str:
    page.goto("/instruments/new")
    accessible(page)
    page.select_option("#kind", "detainer")
    page.select_option("#addressee", "nyc-doc")
    page.fill("#person", f"nysid:{site.story.nysid}")
    for action in ("hold", "notify release", "disclose release date"):
        tick(page, action)
    tick(page, "administrative")
    page.fill("#reference", "I-247A")
    page.click("text=Review")
    assert "Check before you send" in page.content()
    accessible(page)
    page.click("button:text-is('Send')")
    page.wait_for_url("**/cases/**")
    url: str = page.url
    return url.split("#")[0]


def escalate(page: Any, case_url: str, reason: str, **fields: str) -> None:
    page.goto(case_url)
    page.locator("a:text-is('Escalate'), a:text-is('Issue order')").last.click()
    page.wait_for_url("**/escalate**")
    accessible(page)
    if "addressee" in fields:
        page.select_option("#addressee", fields["addressee"])
    for label in fields.get("tick", "").split(",") if fields.get("tick") else ():
        tick(page, label)
    if "return_date" in fields:
        page.fill("#return_date", fields["return_date"])
    if "reference" in fields:
        page.fill("#reference", fields["reference"])
    page.fill("#reason", reason)
    page.click("text=Review")
    assert "Check before you send" in page.content()
    page.locator("button:text-is('Send'), button:text-is('Issue the order')").click()
    page.wait_for_url("**/cases/**")


def acknowledge_latest(page: Any, case_url: str) -> None:
    page.goto(case_url)
    page.locator("button:text-is('Acknowledge receipt')").last.click()
    page.wait_for_url("**/cases/**")


def answer(
    page: Any, case_url: str, outcome: str, reason: str, fields: tuple[str, ...] = ()
) -> None:
    page.goto(case_url)
    page.locator("a:text-is('Record the answer'), a:text-is('Rule on the petition')").last.click()
    page.wait_for_url("**/determine**")
    accessible(page)
    tick(page, outcome)
    for name in fields:
        tick_value(page, "fields", name)
    page.fill("#reason", reason)
    page.click("button:text-is('Record the answer')")
    page.wait_for_url("**/cases/**")


def test_the_demo_story_from_detainer_to_compliance(browser: Any, site: Site) -> None:
    ice = signed_in(browser, site, "ice-nyc-officer")
    accessible(ice)
    case_url = issue_detainer(ice, site)
    assert "Detainer · issued" in ice.content()
    accessible(ice)

    doc = signed_in(browser, site, "nyc-doc-officer")
    assert "QUINTAL, Dario" in doc.content()
    accessible(doc)
    searched_by_get(doc)
    doc.click("text=QUINTAL, Dario")
    acknowledge_latest(doc, case_url)
    doc_legal = signed_in(browser, site, "nyc-doc-legal")
    doc_legal.goto(case_url)
    doc_legal.click("text=Record the answer")
    screen = doc_legal.content()
    assert "NYC-DOC-HOLD-01" in screen and "prohibited" in screen and "9-131" in screen
    answer(doc_legal, case_url, "declined", "No judicial warrant: § 9-131(b).")
    assert "Detainer · declined" in doc_legal.content()

    ice_legal = signed_in(browser, site, "ice-nyc-legal")
    escalate(
        ice_legal,
        case_url,
        "Detainer declined; records demanded.",
        tick="disclose home address,disclose work address",
        return_date="2020-01-31",
        reference="I-138",
    )
    assert "Administrative subpoena · issued" in ice_legal.content()
    accessible(ice_legal)

    site.clock.moment = site.clock.moment.replace(month=2, day=1, hour=12)
    sweep(site)
    ice_legal = signed_in(browser, site, "ice-nyc-legal")
    ice_legal.goto(case_url)
    assert "Administrative subpoena · lapsed" in ice_legal.content()
    escalate(ice_legal, case_url, "No records by the return date.", addressee="usao-edny")
    assert "Referral · issued" in ice_legal.content()

    usao = signed_in(browser, site, "usao-edny-legal")
    # The U.S. Attorney knows the person as the requester named them, not by the jail's record.
    assert f"nysid:{site.story.nysid}" in usao.content() and "QUINTAL" not in usao.content()
    accessible(usao)
    acknowledge_latest(usao, case_url)
    escalate(usao, case_url, "Petition to enforce.", addressee="edny", reference="20-mc-001")
    assert "Enforcement petition · issued" in usao.content()

    court = signed_in(browser, site, "edny-legal")
    accessible(court)
    acknowledge_latest(court, case_url)
    answer(court, case_url, "granted narrowed", "Enforced in part.", ("home_address",))
    escalate(court, case_url, "Order to comply, narrowed.", return_date="2020-02-14")
    assert "Court order · issued" in court.content()

    doc_legal = signed_in(browser, site, "nyc-doc-legal")
    acknowledge_latest(doc_legal, case_url)
    answer(doc_legal, case_url, "complied", "The court ordered it.", ("home_address",))
    assert "Court order · complied" in doc_legal.content()
    accessible(doc_legal)

    ice = signed_in(browser, site, "ice-nyc-officer")
    ice.goto(case_url)
    assert "100 Example Avenue" in ice.content()

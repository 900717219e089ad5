"""The case page as a timeline and the evaluation in legal English, in Chromium: the summary
names the parties in order, the current instrument is open and the others fold and unfold from
the keyboard; the determination screen reads as a lawyer writes, with no code in it. axe-core
checks every state."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from lexdesk.services import instruments as verbs
from tests.browser.conftest import Site, accessible, signed_in

CODE = re.compile(
    r"\bis true\b|\bis false\b|\(was |none of 0|\{'|\bperson\.[a-z]|\binstrument\.[a-z]"
    r"|\b[a-z]+_[a-z_]+\b|\bNone\b"
)


def walk_to_the_court(site: Site) -> tuple[str, list[str]]:
    """A request declined, its subpoena declined, a referral and a petition: (case, ids)."""
    desk, nysid = site.built.desk, site.story.nysid
    request = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{nysid}",
            ("disclose:work_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", request.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", request.id, "declined", "No."))
    due = datetime(2020, 1, 31, 22, tzinfo=UTC)
    subpoena = verbs.escalate(
        desk, verbs.Escalate("ice-nyc-legal", request.id, "Records.", None, (), due)
    )
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", subpoena.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", subpoena.id, "declined", "No."))
    referral = verbs.escalate(
        desk, verbs.Escalate("ice-nyc-legal", subpoena.id, "Enforce.", "usao-edny", ())
    )
    verbs.acknowledge(desk, verbs.Acknowledge("usao-edny-officer", referral.id))
    petition = verbs.escalate(
        desk, verbs.Escalate("usao-edny-legal", referral.id, "Petition.", "edny", ())
    )
    return request.case_id, [request.id, subpoena.id, referral.id, petition.id]


def is_open(page: Any, instrument_id: str) -> bool:
    opened: bool = page.evaluate(f"document.getElementById({instrument_id!r}).open")
    return opened


def test_the_case_page_is_a_summary_then_a_timeline_folded_by_keyboard(
    browser: Any, site: Site
) -> None:
    case_id, ids = walk_to_the_court(site)
    page = signed_in(browser, site, "ice-nyc-legal")
    page.goto(f"/cases/{case_id}")
    accessible(page)
    parties = page.locator(".case-parties li").all_inner_texts()
    assert parties == [
        "Requester: ICE ERO New York",
        "Custodian: NYC Department of Correction",
        "U.S. Attorney: U.S. Attorney, E.D.N.Y.",
        "Court: U.S. District Court, E.D.N.Y.",
    ]
    assert "Enforcement petition to U.S. District Court, E.D.N.Y.: issued" in page.inner_text(
        ".case-summary"
    )
    assert [is_open(page, i) for i in ids] == [False, False, False, True]
    # The folded steps are much shorter than the page of cards they replace.
    assert page.evaluate("document.body.scrollHeight") < 2400

    # Keyboard alone: Tab to the first folded step, open it with Enter, fold it with Space.
    first = f"#{ids[0]} > summary"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({first!r})"):
            break
    else:
        raise AssertionError("the first step cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.getElementById({ids[0]!r}).open")
    assert page.locator(f"#{ids[0]}").get_by_text("Answer:").is_visible()
    accessible(page)
    page.keyboard.press("Space")
    page.wait_for_function(f"!document.getElementById({ids[0]!r}).open")
    assert not page.locator(f"#{ids[0]}").get_by_text("Answer:").is_visible()

    # The court, who must act, finds its step open with its buttons.
    court = signed_in(browser, site, "edny-legal")
    court.goto(f"/cases/{case_id}")
    assert is_open(court, ids[-1])
    assert court.locator(f"#{ids[-1]} button:text-is('Acknowledge receipt')").is_visible()
    assert "your agency may act on it" in court.inner_text(".case-summary")
    accessible(court)


def test_the_evaluation_reads_as_legal_english(browser: Any, site: Site) -> None:
    desk = site.built.desk
    issued = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "detainer", "nyc-doc", f"nysid:{site.story.nysid}",
            ("hold", "disclose:release_date"), "administrative",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", issued.id))
    page = signed_in(browser, site, "nyc-doc-legal")
    page.goto(f"/instruments/{issued.id}/determine")
    accessible(page)
    text = page.inner_text("section.evaluation")
    text = text.split("Record facts the answer turns on", 1)[0]
    assert not CODE.search(text), CODE.search(text)
    assert (
        "Holding the person past the time of release is prohibited under N.Y.C. Admin. Code "
        "§ 9-131(b)(1)" in text
    )
    assert "The detainer came with an administrative warrant." in text
    assert (
        "The conviction for NY PL 160.15 (Robbery in the first degree), entered on March 1, 2016"
        in text
    )
    assert (
        "With a judicial warrant, holding the person past the time of release would be permitted."
        in text
    )
    link = page.locator("section.evaluation .usa-alert a.usa-link").first
    assert link.get_attribute("href", timeout=1000).startswith("https://")
    assert "Verified: the text of" in text

"""The determination screen speaks legal English: each action's decision, the provision's
condition, the conviction that qualified or the facts that were missing, what would change
the answer, and whether the deciding text was verified, with a link to its source. No field
path, Python value or dict reaches the page."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.domain.instruments import Instrument
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story
from tests.web.test_pages import detainer, unlisted_detainer

__all__ = ["detainer", "unlisted_detainer"]

CODE = re.compile(
    r"\bis true\b|\bis false\b|\(was |none of 0|\{'|'\}|\bperson\.[a-z]|\binstrument\.[a-z]"
    r"|\b(tsdb_match|offense_in|within_years|violent_or_serious_crimes)\b|\bNone\b"
)


def _evaluation(page: str) -> str:
    """The text of the evaluation section, as a reader sees it."""
    section = page.split('aria-labelledby="evaluation-heading"', 1)[1]
    section = section.split("Record facts the answer turns on", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


def test_a_declined_hold_is_explained_with_what_is_missing(
    client: TestClient, story: Story, clock: FakeClock, unlisted_detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    page = client.get(f"/instruments/{unlisted_detainer.id}/determine").text
    text = _evaluation(page)
    assert not CODE.search(text), CODE.search(text)
    assert "ICE ERO New York asks for" in page  # the agency by name, not its code
    assert (
        "Holding the person past the time of release is prohibited under N.Y.C. Admin. Code "
        "§ 9-131(b)(1): DOC does not hold a person on a civil immigration detainer." in text
    )
    assert "it applies only with a judicial warrant and either a conviction for a listed" in text
    assert "The detainer came with an administrative warrant." in text
    assert "No conviction is recorded." in text
    assert "The record does not show a possible match in the terrorist screening database." in text
    assert (
        "With a possible match in the terrorist screening database, disclosing the release "
        "date would be permitted." in text
    )
    assert "Verified: the text of N.Y.C. Admin. Code § 9-131(b)(1) was transcribed" in text
    # The facts the answer turns on are offered in the same words.
    assert (
        'for="flag-tsdb_match">A possible match in the terrorist screening database</label>' in page
    )
    # The verification links to the primary text read.
    assert 'href="https://github.com/soundpress/nyccharter_merged_test/' in page


def test_the_qualifying_conviction_is_named(
    client: TestClient, story: Story, clock: FakeClock, detainer: Instrument
) -> None:
    sign_in(client, story, clock, "nyc-doc-legal")
    text = _evaluation(client.get(f"/instruments/{detainer.id}/determine").text)
    assert not CODE.search(text), CODE.search(text)
    assert "Disclosing the release date is permitted under N.Y.C. Admin. Code § 9-131(h)(1)(i)" in (
        text
    )
    assert (
        "The conviction for NY PL 160.15 (Robbery in the first degree), entered on March 1, "
        "2016 (released from its sentence on March 1, 2018), qualifies as a conviction for a "
        "listed violent or serious crime within 5 years of the arrest." in text
    )


def test_the_explanation_is_stored_with_the_determination(
    client: TestClient, story: Story, clock: FakeClock, built: App, detainer: Instrument
) -> None:
    from lexdesk.services import instruments as verbs

    verbs.determine(
        built.desk,
        verbs.Determine(
            "nyc-doc-legal", detainer.id, "declined", "Admin. Code § 9-131: no judicial warrant."
        ),
    )
    with built.desk.uow() as uow:
        case = uow.cases.of_instrument(detainer.id)
        assert case is not None
        stored = case.instrument(detainer.id).determination
    assert stored is not None and stored.evaluation is not None
    explanation = stored.evaluation["explanation"]
    assert explanation["summary"].startswith("Under the law of New York City, New York")
    assert [a["action"] for a in explanation["actions"]] == list(detainer.actions)


def test_the_case_page_shows_the_holder_the_words_the_answer_rested_on(
    client: TestClient, story: Story, clock: FakeClock, built: App, detainer: Instrument
) -> None:
    from lexdesk.services import instruments as verbs

    verbs.determine(
        built.desk,
        verbs.Determine(
            "nyc-doc-legal", detainer.id, "declined", "Admin. Code § 9-131: no judicial warrant."
        ),
    )
    sign_in(client, story, clock, "nyc-doc-legal")
    held = client.get(f"/cases/{detainer.case_id}").text
    assert "The evaluation this answer rests on" in held
    assert "Holding the person past the time of release is prohibited under" in held
    client.cookies.clear()
    sign_in(client, story, clock, "ice-nyc-officer")
    asked = client.get(f"/cases/{detainer.case_id}").text
    assert "The evaluation this answer rests on" not in asked
    assert "past the time of release is prohibited" not in asked

"""The case page as a timeline: a summary (the parties in the order the matter reached them,
by name; the current step; the next deadline, as the disclosure policy lets the agency see
it), then each instrument in the order it was filed, the current one open and the rest
folded in ``<details>``."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App
from lexdesk.domain.instruments import Instrument
from lexdesk.services import instruments as verbs
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story

REASON = "Declined under local law."


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _summary(page: str) -> str:
    return _text(page.split('id="summary-heading"', 1)[1].split("</section>", 1)[0])


def _steps(page: str) -> list[tuple[str, bool]]:
    """(instrument id, open) for each step of the timeline, in order."""
    return [
        (found.group(2), bool(found.group(3)))
        for found in re.finditer(
            r'<details class="step( step--current)?" id="([^"]+)"( open)?>', page
        )
    ]


@pytest.fixture
def ladder(built: App, story: Story) -> list[Instrument]:
    """A request declined, its subpoena declined, a referral to the U.S. Attorney and its
    petition to the court."""
    desk = built.desk
    request = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "information_request", "nyc-doc", f"nysid:{story.nysid}",
            ("disclose:home_address",), "none",
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", request.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", request.id, "declined", REASON))
    subpoena = verbs.escalate(
        desk,
        verbs.Escalate(
            "ice-nyc-legal", request.id, "Records demanded.", None, (),
            datetime(2020, 1, 31, 22, tzinfo=UTC),
        ),
    )  # fmt: skip
    verbs.acknowledge(desk, verbs.Acknowledge("nyc-doc-officer", subpoena.id))
    verbs.determine(desk, verbs.Determine("nyc-doc-legal", subpoena.id, "declined", REASON))
    referral = verbs.escalate(
        desk, verbs.Escalate("ice-nyc-legal", subpoena.id, "Enforce it.", "usao-edny", ())
    )
    verbs.acknowledge(desk, verbs.Acknowledge("usao-edny-officer", referral.id))
    petition = verbs.escalate(
        desk, verbs.Escalate("usao-edny-legal", referral.id, "Petition.", "edny", ())
    )
    return [request, subpoena, referral, petition]


def test_the_summary_names_the_parties_in_order_and_the_current_step(
    client: TestClient, story: Story, clock: FakeClock, ladder: list[Instrument]
) -> None:
    request, subpoena, referral, petition = ladder
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get(f"/cases/{request.case_id}").text
    summary = _summary(page)
    assert (
        "Parties Requester: ICE ERO New York Custodian: NYC Department of Correction "
        "U.S. Attorney: U.S. Attorney, E.D.N.Y. Court: U.S. District Court, E.D.N.Y." in summary
    )
    assert "ice-nyc → nyc-doc" not in page
    assert "Current step Enforcement petition to U.S. District Court, E.D.N.Y.: issued" in summary
    # The timeline: every instrument in the order filed, only the current one open.
    assert _steps(page) == [
        (request.id, False), (subpoena.id, False), (referral.id, False), (petition.id, True),
    ]  # fmt: skip
    # Folded steps keep their whole story for whoever opens them.
    assert REASON in page


def test_the_step_the_viewer_may_act_on_is_the_current_one(
    client: TestClient, story: Story, clock: FakeClock, ladder: list[Instrument]
) -> None:
    request, _, _, petition = ladder
    sign_in(client, story, clock, "edny-legal")
    page = client.get(f"/cases/{request.case_id}").text
    assert _steps(page)[-1] == (petition.id, True)
    assert "your agency may act on it" in _summary(page)


def test_the_next_deadline_follows_the_disclosure_policy(
    client: TestClient, story: Story, clock: FakeClock, built: App
) -> None:
    """A notification request runs from the release date: the holder sees its deadline, the
    requester, never told the release date, sees only that it is due on release."""
    issued = verbs.issue_instrument(
        built.desk,
        verbs.IssueInstrument(
            "ice-nyc-officer", "notification_request", "nyc-doc", f"nysid:{story.nysid}",
            ("notify_release",), "none",
        ),
    )  # fmt: skip
    sign_in(client, story, clock, "nyc-doc-officer")
    held = _summary(client.get(f"/cases/{issued.case_id}").text)
    assert "Next deadline 2020-06-30" in held
    client.cookies.clear()
    sign_in(client, story, clock, "ice-nyc-officer")
    page = client.get(f"/cases/{issued.case_id}").text
    asked = _summary(page)
    assert "Next deadline On the person's release" in asked
    assert "2020-06-30" not in page and "2020-06" not in asked

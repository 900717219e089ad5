"""A ladder of every instrument kind, through the services, for the document tests: a detainer
partly answered, notification, transfer and information requests, and a subpoena refused and
taken up to a court order that was obeyed. All of it is fictional."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from lexdesk.services import agencies
from lexdesk.services import instruments as v
from lexdesk.services.context import Desk
from tests.factories import book, seed_agencies

RETURN_DATE = datetime(2020, 2, 14, 17, tzinfo=UTC)

if os.environ.get("LEXDESK_REQUIRE_PDFSIG") == "1" and shutil.which("pdfsig") is None:
    raise RuntimeError(
        "LEXDESK_REQUIRE_PDFSIG=1 but pdfsig is missing: apt-get install poppler-utils"
    )
#: The document tests that read PDFs with poppler skip without it (CI requires it: .ci/run).
needs_poppler = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler-utils")


@dataclass(frozen=True)
class Ladder:
    person_id: str
    detainer: str
    notification: str
    transfer: str
    information: str
    subpoena: str
    referral: str
    petition: str
    order: str

    @property
    def every_kind(self) -> dict[str, str]:
        return {
            "detainer": self.detainer,
            "notification_request": self.notification,
            "transfer_request": self.transfer,
            "information_request": self.information,
            "administrative_subpoena": self.subpoena,
            "referral": self.referral,
            "enforcement_petition": self.petition,
            "court_order": self.order,
        }


def seed(desk: Desk) -> None:
    seed_agencies(desk)
    for agency in ("ice", "doc"):
        agencies.add_user(
            desk, agencies.AddUser(f"{agency}-admin", agency, f"Admin of {agency}", ("admin",))
        )


def _issue(desk: Desk, person_id: str, kind: str, actions: tuple[str, ...]) -> str:
    return v.issue_instrument(
        desk, v.IssueInstrument("ice-officer", kind, "doc", person_id, actions, "administrative")
    ).id


def ladder(desk: Desk) -> Ladder:
    person = book(desk)
    detainer = _issue(desk, person.id, "detainer", ("hold", "disclose:release_date"))
    v.acknowledge(desk, v.Acknowledge("doc-officer", detainer))
    v.determine(desk, v.Determine("doc-legal", detainer, "declined", "No judicial warrant."))
    notification = _issue(desk, person.id, "notification_request", ("notify_release",))
    transfer = _issue(desk, person.id, "transfer_request", ("transfer",))
    information = _issue(
        desk, person.id, "information_request", ("disclose:home_address", "disclose:date_of_birth")
    )
    v.acknowledge(desk, v.Acknowledge("doc-officer", information))
    v.determine(desk, v.Determine("doc-legal", information, "declined", "Not permitted."))
    subpoena = v.escalate(
        desk, v.Escalate("ice-officer", information, "Declined.", return_date=RETURN_DATE)
    ).id
    v.acknowledge(desk, v.Acknowledge("doc-officer", subpoena))
    v.determine(desk, v.Determine("doc-legal", subpoena, "declined", "Not a court order."))
    referral = v.escalate(desk, v.Escalate("ice-officer", subpoena, "Refused.", "usao")).id
    v.acknowledge(desk, v.Acknowledge("usao-officer", referral))
    petition = v.escalate(desk, v.Escalate("usao-legal", referral, "Enforce.", "court")).id
    v.acknowledge(desk, v.Acknowledge("court-officer", petition))
    v.determine(
        desk,
        v.Determine(
            "court-legal", petition, "granted_narrowed", "Address only.", ("home_address",)
        ),
    )
    order = v.escalate(
        desk, v.Escalate("court-legal", petition, "Comply.", return_date=RETURN_DATE)
    ).id
    v.acknowledge(desk, v.Acknowledge("doc-officer", order))
    v.determine(desk, v.Determine("doc-legal", order, "complied", "Ordered.", ("home_address",)))
    return Ladder(
        person.id, detainer, notification, transfer, information, subpoena, referral, petition,
        order,
    )  # fmt: skip

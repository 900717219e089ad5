"""How a disclosure package is shown: the released fields and the determinations behind them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from lexdesk.entrypoints.api.schemas import Answer
from lexdesk.services.disclosures import Disclosure


class DisclosureSourceOut(Answer):
    instrument_id: str
    outcome: str
    determined_at: datetime
    released_fields: list[str]
    recipients: list[str] = Field(description="The agencies the release reached.")


class DisclosureOut(Answer):
    person_id: str
    recipient_agency: str
    fields: dict[str, Any] = Field(
        description="Only the fields released to the recipient, as they stood when released "
        "(a snapshot: later changes to the record are not shown until released again)."
    )
    sources: list[DisclosureSourceOut]


def disclosure_out(package: Disclosure) -> DisclosureOut:
    return DisclosureOut(
        person_id=package.person_id,
        recipient_agency=package.recipient_agency_id,
        fields=package.fields,
        sources=[
            DisclosureSourceOut(
                instrument_id=s.instrument_id,
                outcome=s.outcome,
                determined_at=s.determined_at,
                released_fields=list(s.released_fields),
                recipients=list(s.recipients),
            )
            for s in package.sources
        ],
    )

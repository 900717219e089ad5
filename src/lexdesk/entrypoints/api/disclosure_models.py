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


class DisclosureOut(Answer):
    person_id: str
    recipient_agency: str
    fields: dict[str, Any] = Field(
        description="Only the fields a determination released to the recipient, as held now."
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
            )
            for s in package.sources
        ],
    )

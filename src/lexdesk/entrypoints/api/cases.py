"""``/api/v1/cases``: the cases one's agency takes part in, each with its chain and events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.instrument_models import EventOut, InstrumentOut, event_out, shown
from lexdesk.entrypoints.api.schemas import Answer, CaseId, Code, Cursor, Limit
from lexdesk.entrypoints.api.security import requires
from lexdesk.queries import api_lists
from lexdesk.services import audit, disclosures
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import may

router = APIRouter(prefix="/cases", tags=["cases"], route_class=ApiRoute, responses=COMMON_ERRORS)
Reader = Annotated[Principal, Depends(requires(Permission.CASE_READ))]


class CaseSummary(Answer):
    id: str
    requesting_agency: str
    custodial_agency: str
    person_id: str
    status: Literal["open", "closed"]
    opened_at: datetime


class CasePage(Answer):
    items: list[CaseSummary]
    next_cursor: str | None


class CaseOut(CaseSummary):
    instruments: list[InstrumentOut] = Field(
        description="The instruments one's agency may see, in order; empty for an API token "
        "without the instruments:read scope (see withheld.instruments)."
    )
    withheld: dict[str, str] = Field(
        default_factory=dict, description="What one's agency may not read here, and why."
    )


@router.get("", name="list_cases")
def list_cases(
    request: Request,
    reader: Reader,
    status: Literal["open", "closed"] | None = None,
    agency: Annotated[Code | None, Query(description="Only cases with this other agency.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CasePage:
    """Cases one's agency takes part in, newest first."""
    query = api_lists.CaseQuery(reader.agency_id, status, agency, limit, cursor)
    with built(request).engine.connect() as db:
        page = api_lists.cases(db, query)
    if page.rows:  # a page names each case's person: a read of personal data, on record
        audit.record_read(
            built(request).desk,
            actor=reader.username,
            agency=reader.agency_id,
            object_type="case_list",
            object_id=status or "all",
            source=source_of(request),
            detail={"cases": [r.id for r in page.rows]},
        )
    items = [
        CaseSummary(
            id=r.id,
            requesting_agency=r.requesting_agency_id,
            custodial_agency=r.custodial_agency_id,
            person_id=r.person_id,
            status=r.status,
            opened_at=r.opened_at,
        )
        for r in page.rows
    ]
    return CasePage(items=items, next_cursor=page.next_cursor)


INSTRUMENTS_NEED = "reading instruments needs the instruments:read scope"


@router.get("/{case_id}", name="get_case")
def get_case(request: Request, case_id: CaseId, reader: Reader) -> CaseOut:
    """One case with the chain of instruments one's agency may see, in order."""
    return read_case(request, reader, case_id)


def read_case(request: Request, reader: Principal, case_id: str) -> CaseOut:
    """The case as the reader's agency may see it, the read audited: what ``get_case``
    answers, and all that the exchange format (``exchange``) may write of it."""
    view = disclosures.visible_case(built(request).desk, reader, case_id, source_of(request))
    case, withheld = view.case, {}
    instruments = [shown(i) for i in view.instruments]
    if not may(reader, Permission.INSTRUMENT_READ):
        instruments, withheld = [], {"instruments": INSTRUMENTS_NEED}
    return CaseOut(
        id=case.id,
        requesting_agency=case.requesting_agency_id,
        custodial_agency=case.custodial_agency_id,
        person_id=case.person_id,
        status=view.status.value,
        opened_at=case.opened_at,
        instruments=instruments,
        withheld=withheld,
    )


@router.get("/{case_id}/events", name="case_events")
def list_case_events(request: Request, case_id: CaseId, reader: Reader) -> list[EventOut]:
    """Every transition one's agency may learn of, of every instrument it may see, oldest
    first."""
    view = disclosures.visible_case(built(request).desk, reader, case_id, source_of(request))
    if not may(reader, Permission.INSTRUMENT_READ):
        return []
    events = sorted((e for i in view.instruments for e in i.events), key=lambda e: e.at)
    return [event_out(e) for e in events]

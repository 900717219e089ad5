"""``/api/v1/instruments``: list, read, issue, acknowledge, determine, escalate, withdraw.

Each route parses, calls the same service as the CLI, and shows the result. A change may carry
``If-Match`` with the ETag it read: if the instrument moved on meanwhile, 412 and nothing changes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BeforeValidator

from lexdesk.domain.errors import NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import InstrumentKind, InstrumentStatus
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.disclosure_models import DisclosureOut, disclosure_out
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, WRITE_ERRORS, ApiRoute
from lexdesk.entrypoints.api.headers import LOCATION
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.instrument_models import (
    ETAG,
    AcknowledgeBody,
    DetermineBody,
    EscalateBody,
    EvaluationOut,
    EventOut,
    InstrumentOut,
    InstrumentPage,
    IssueBody,
    WithdrawBody,
    event_out,
    explanation_of,
    page_of,
    shown,
)
from lexdesk.entrypoints.api.schemas import Code, Cursor, InstrumentId, Limit, Moment
from lexdesk.entrypoints.api.security import Reading, reads, requires
from lexdesk.queries import api_lists
from lexdesk.services import disclosures
from lexdesk.services import instruments as verbs
from lexdesk.services.accounts import Principal
from lexdesk.services.evaluation import evaluation_now

router = APIRouter(
    prefix="/instruments", tags=["instruments"], route_class=ApiRoute, responses=COMMON_ERRORS
)
Sort = Literal["due_at", "-due_at", "issued_at", "-issued_at"]
IfMatch = Annotated[
    str | None,
    Header(
        pattern=r'^(\*|(W/)?"[0-9]{1,9}")$',
        description='The ETag read (e.g. "3"): refuse the change if the instrument moved on.',
        examples=['"3"'],
    ),
    BeforeValidator(str.strip),  # a header value's surrounding whitespace is not part of it
]
Reader = Annotated[Principal, Depends(requires(Permission.INSTRUMENT_READ))]


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match == "*":
        return None
    return int(if_match.removeprefix("W/").strip('"'))


@router.get("", name="list_instruments")
def list_instruments(
    reading: Annotated[Reading, Depends(reads(Permission.INSTRUMENT_READ), scope="function")],
    box: Literal["received", "sent"] = "received",
    status: Annotated[list[InstrumentStatus], Query(max_length=14)] = [],  # noqa: B006
    kind: InstrumentKind | None = None,
    due_before: Annotated[Moment | None, Query()] = None,
    agency: Annotated[Code | None, Query(description="Only with this other agency.")] = None,
    sort: Sort = "due_at",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> InstrumentPage:
    """The instruments one's agency received (its inbox) or sent, soonest due first.

    Not audited as a read of personal data: a page names no person and carries nothing about
    one (ids, kinds, statuses, actions, agencies, dates and versions; see docs/api.md). It is
    read in the transaction that authenticated the request."""
    query = api_lists.InstrumentQuery(
        reading.principal.agency_id,
        box,
        tuple(s.value for s in status),
        kind,
        due_before,
        agency,
        sort,
        limit,
        cursor,
    )
    return page_of(api_lists.instruments(reading.db, query))


@router.get("/{instrument_id}", name="get_instrument", responses={200: {"headers": ETAG}})
def get_instrument(
    request: Request, response: Response, instrument_id: InstrumentId, reader: Reader
) -> InstrumentOut:
    """The instrument as one's agency may see it: a value it may not learn is null, and
    ``withheld`` says why."""
    desk, source = built(request).desk, source_of(request)
    return shown(disclosures.visible_instrument(desk, reader, instrument_id, source), response)


@router.get("/{instrument_id}/events", name="instrument_events")
def instrument_events(
    request: Request, instrument_id: InstrumentId, reader: Reader
) -> list[EventOut]:
    """Every transition of the instrument that one's agency may learn of: who, when, from,
    to, why."""
    desk, source = built(request).desk, source_of(request)
    view = disclosures.visible_instrument(desk, reader, instrument_id, source)
    return [event_out(e) for e in view.events]


@router.get("/{instrument_id}/disclosure", name="instrument_disclosure")
def instrument_disclosure(
    request: Request,
    instrument_id: InstrumentId,
    reader: Annotated[Principal, Depends(requires(Permission.DISCLOSURE_READ))],
) -> DisclosureOut:
    """What was released in answer to this instrument to one's agency (or, for the agency
    that answered, by it), as the values stood when released."""
    desk, source = built(request).desk, source_of(request)
    return disclosure_out(disclosures.disclosure_of(desk, reader, instrument_id, source))


@router.get("/{instrument_id}/evaluation", name="instrument_evaluation")
def instrument_evaluation(
    request: Request,
    instrument_id: InstrumentId,
    reader: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_DETERMINE))],
) -> EvaluationOut:
    """The answering agency's law on the instrument today, with its explanation in legal
    English: what a determination now would rest on. Only the addressee that must answer
    reads it (reading it reads the person's record, and is audited as such); 404 where no
    rule pack governs the answer (a U.S. Attorney, a court)."""
    desk, source = built(request).desk, source_of(request)
    found = evaluation_now(desk, reader, instrument_id, source)
    if found is None:
        raise NotFound("evaluation of instrument", instrument_id)
    result = found.result
    return EvaluationOut(
        pack=found.pack,
        pack_version=found.pack_version,
        as_of=str(result.get("as_of", "")),
        outcome=str(result.get("outcome", "")),
        actions=result.get("actions", {}),
        explanation=explanation_of({"explanation": found.explanation}),
    )


@router.post(
    "",
    name="issue_instrument",
    status_code=201,
    responses={**WRITE_ERRORS, 201: {"headers": {**ETAG, **LOCATION}}},
)
def issue_instrument(
    request: Request,
    response: Response,
    body: IssueBody,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ISSUE))],
    once: Once = None,
) -> InstrumentOut:
    """File a request about a person another agency holds; it opens (or joins) the case."""
    command = verbs.IssueInstrument(
        actor.username,
        body.kind.value,
        body.addressee,
        body.person,
        tuple(body.actions),
        body.warrant.value,
        body.return_date,
        body.reference,
        body.reason,
        source_of(request),
    )
    instrument = verbs.issue_instrument(built(request).desk, command)
    response.headers["Location"] = f"{request.url.path}/{instrument.id}"
    return seen_by(request, actor, instrument.id, response)


@router.post(
    "/{instrument_id}/acknowledgement",
    name="acknowledge_instrument",
    responses={**WRITE_ERRORS, 200: {"headers": ETAG}},
)
def acknowledge(
    request: Request,
    response: Response,
    instrument_id: InstrumentId,
    body: AcknowledgeBody,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ACKNOWLEDGE))],
    if_match: IfMatch = None,
) -> InstrumentOut:
    """The addressee confirms receipt."""
    command = verbs.Acknowledge(
        actor.username, instrument_id, expected_version(if_match), body.reason, source_of(request)
    )
    done = verbs.acknowledge(built(request).desk, command)
    return seen_by(request, actor, done.id, response)


@router.post(
    "/{instrument_id}/determination",
    name="determine_instrument",
    responses={**WRITE_ERRORS, 200: {"headers": ETAG}},
)
def determine(
    request: Request,
    response: Response,
    instrument_id: InstrumentId,
    body: DetermineBody,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_DETERMINE))],
    if_match: IfMatch = None,
) -> InstrumentOut:
    """The addressee's answer, resting on its rule pack's evaluation (stored with it)."""
    command = verbs.Determine(
        actor.username,
        instrument_id,
        body.outcome.value,
        body.reason,
        tuple(body.released_fields),
        expected_version(if_match),
        source_of(request),
        tuple(body.actions_performed),
        body.override.reason if body.override else None,
    )
    done = verbs.determine(built(request).desk, command)
    return seen_by(request, actor, done.id, response)


@router.post(
    "/{instrument_id}/escalation",
    name="escalate_instrument",
    status_code=201,
    responses={**WRITE_ERRORS, 201: {"headers": {**ETAG, **LOCATION}}},
)
def escalate(
    request: Request,
    response: Response,
    instrument_id: InstrumentId,
    body: EscalateBody,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_ESCALATE))],
    if_match: IfMatch = None,
    once: Once = None,
) -> InstrumentOut:
    """Take the instrument to the next rung; the answer is the new instrument."""
    command = verbs.Escalate(
        actor.username,
        instrument_id,
        body.reason,
        body.addressee,
        tuple(body.actions),
        body.return_date,
        body.reference,
        expected_version(if_match),
        source_of(request),
        tuple(body.produce_to),
    )
    child = verbs.escalate(built(request).desk, command)
    response.headers["Location"] = f"{request.url.path.rsplit('/', 2)[0]}/{child.id}"
    return seen_by(request, actor, child.id, response)


@router.post(
    "/{instrument_id}/withdrawal",
    name="withdraw_instrument",
    responses={**WRITE_ERRORS, 200: {"headers": ETAG}},
)
def withdraw(
    request: Request,
    response: Response,
    instrument_id: InstrumentId,
    body: WithdrawBody,
    actor: Annotated[Principal, Depends(requires(Permission.INSTRUMENT_WITHDRAW))],
    if_match: IfMatch = None,
) -> InstrumentOut:
    """The issuer takes the instrument back."""
    command = verbs.Withdraw(
        actor.username, instrument_id, body.reason, expected_version(if_match), source_of(request)
    )
    done = verbs.withdraw(built(request).desk, command)
    return seen_by(request, actor, done.id, response)


def seen_by(
    request: Request, actor: Principal, instrument_id: str, response: Response
) -> InstrumentOut:
    """The instrument after a change, as the actor's agency may see it (the same policy as a
    read; the look is not audited as a read: the change's own entry covers it)."""
    desk = built(request).desk
    return shown(disclosures.seen_after_change(desk, actor, instrument_id), response)

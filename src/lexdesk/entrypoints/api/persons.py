"""``/api/v1/persons`` and ``/api/v1/person-lookups``: the custodial side. An agency books
people into its custody and reads its own people in full; any other agency sees only what was
disclosed to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.disclosure_models import DisclosureOut, disclosure_out
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.headers import LOCATION
from lexdesk.entrypoints.api.idempotency import Once
from lexdesk.entrypoints.api.person_models import BookBody, LookupBody, PersonOut, person_out
from lexdesk.entrypoints.api.schemas import PersonId
from lexdesk.entrypoints.api.security import requires
from lexdesk.services import disclosures, persons
from lexdesk.services.accounts import Principal

router = APIRouter(tags=["persons"], route_class=ApiRoute, responses=COMMON_ERRORS)
Reader = Annotated[Principal, Depends(requires(Permission.PERSON_READ))]


@router.post(
    "/persons", name="book_person", status_code=201, responses={201: {"headers": LOCATION}}
)
def book_person(
    request: Request,
    response: Response,
    body: BookBody,
    actor: Annotated[Principal, Depends(requires(Permission.PERSON_WRITE))],
    once: Once = None,
) -> PersonOut:
    """Book a person into the custody of one's own (custodial) agency."""
    command = persons.BookPerson(
        actor=actor.username,
        **body.model_dump(exclude={"charges", "convictions", "identifiers"}),
        identifiers={scheme.value: value for scheme, value in body.identifiers.items()},
        charges=tuple(c.to_domain() for c in body.charges),
        convictions=tuple(c.to_domain() for c in body.convictions),
        source=source_of(request),
    )
    person = persons.book_person(built(request).desk, command)
    response.headers["Location"] = f"{request.url.path}/{person.id}"
    return person_out(person)


@router.get("/persons/{person_id}", name="get_person")
def get_person(request: Request, person_id: PersonId, reader: Reader) -> PersonOut:
    """One of one's own people, in full (custody, charges, history)."""
    desk, source = built(request).desk, source_of(request)
    return person_out(disclosures.own_person(desk, reader, person_id, source))


@router.post("/person-lookups", name="look_up_person")
def look_up_person(request: Request, body: LookupBody, reader: Reader) -> PersonOut:
    """Find one of one's own people by an identifier (NYSID, booking number, ...)."""
    desk, source = built(request).desk, source_of(request)
    return person_out(disclosures.find_own_person(desk, reader, body.scheme, body.value, source))


@router.get("/persons/{person_id}/disclosures", name="person_disclosures")
def person_disclosures(
    request: Request,
    person_id: PersonId,
    reader: Annotated[Principal, Depends(requires(Permission.DISCLOSURE_READ))],
) -> DisclosureOut:
    """Everything released to one's agency about a person, and by which determinations."""
    desk, source = built(request).desk, source_of(request)
    return disclosure_out(disclosures.disclosures_about(desk, reader, person_id, source))

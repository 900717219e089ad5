"""Service of process: how an instrument was served on its addressee (in person, by mail, by
e-mail, through a portal), by whom and when, as its issuer records it. The document shows the
certificate of service (``services.documents``). Service is a fact about the instrument, not
about the person: whoever may see the instrument may see how it was served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lexdesk.domain.errors import InvalidInput


class ServiceMethod(StrEnum):
    IN_PERSON = "in_person"
    MAIL = "mail"
    EMAIL = "email"
    PORTAL = "portal"


METHOD_WORDS = {
    ServiceMethod.IN_PERSON: "by delivering a copy in person",
    ServiceMethod.MAIL: "by mail",
    ServiceMethod.EMAIL: "by e-mail",
    ServiceMethod.PORTAL: "through the recipient's portal",
}


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    instrument_id: str
    method: ServiceMethod
    #: Who served it, as a name on paper (an officer, a process server, a clerk).
    served_by: str
    served_at: datetime
    agency_id: str
    recorded_by: str
    recorded_at: datetime
    note: str = ""

    def certificate(self, kind: str, addressee: str) -> str:
        """The certificate of service, as the document prints it."""
        when = self.served_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"I certify that on {when} I served this {kind} on {addressee} "
            f"{METHOD_WORDS[self.method]}."
        )


def check_service(
    served_by: str, served_at: datetime, issued_at: datetime | None, now: datetime, note: str
) -> None:
    """A service names who served, happened after the instrument was issued and not later
    than now; its note is short."""
    if not served_by.strip() or len(served_by) > 200:
        raise InvalidInput("name who served the instrument (200 characters at most)")
    if len(note) > 500:
        raise InvalidInput("the note is longer than 500 characters")
    if served_at.tzinfo is None:
        raise InvalidInput("the time of service needs a time zone, e.g. 2020-02-03T10:00-05:00")
    if issued_at is None:
        raise InvalidInput("an instrument is served once it is issued")
    if served_at < issued_at:
        raise InvalidInput(
            f"the instrument was issued at {issued_at.isoformat()}: it cannot be served before"
        )
    if served_at > now:
        raise InvalidInput("the time of service is in the future")

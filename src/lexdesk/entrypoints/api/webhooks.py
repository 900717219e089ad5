"""The webhooks lexdesk sends, as the OpenAPI document's ``webhooks``: one per topic, each a
POST of a JSON event signed per Standard Webhooks, so that a receiver can be generated from
the contract and check what it receives. Nothing here serves a request: the worker's webhook
courier (``adapters.couriers.WebhookCourier``) is what sends them, in this shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from lexdesk.domain.notifications import Topic
from lexdesk.entrypoints.api.naming import operation_id

router = APIRouter(generate_unique_id_function=operation_id)


class EventData(BaseModel):
    """What the receiving agency may learn: ids, statuses, agencies, the due time it may
    see. Never a name, a date of birth or a record."""

    model_config = ConfigDict(extra="allow")
    subject: str = Field(description="One line for a person to read.")
    link: str = Field(description="The desk's page for it, relative to the desk's address.")
    idempotency_key: str = Field(
        description="The same on every attempt to deliver this event to this subscription: "
        "a receiver that has seen it may ignore it."
    )
    instrument_id: str | None = None
    case_id: str | None = None
    kind: str | None = Field(default=None, description="detainer, request_for_notification, …")
    reference: str | None = None
    status: str | None = None
    transition: str | None = Field(default=None, description="issue, acknowledge, determine, …")
    issuer: str | None = Field(default=None, description="The issuing agency's code.")
    addressee: str | None = Field(default=None, description="The addressee agency's code.")
    due_at: str | None = Field(
        default=None, description="When an answer is due, where the receiver may know it."
    )
    reminder: Literal["due", "release"] | None = None
    production_id: str | None = None
    producer: str | None = None
    bates_first: str | None = None
    bates_last: str | None = None


def _shown(topic: str, transition: str, status: str, receiver: str) -> ConfigDict:
    """A topic's model settings: its example, sent to ``receiver``."""
    example: JsonDict = {
        "type": f"instrument.{topic}",
        "timestamp": "2026-11-30T14:05:00+00:00",
        "data": {
            "subject": "Detainer D-2026-0042 from ICE ERO New York",
            "link": "/instruments/ins-0123456789abcdef",
            "idempotency_key": f"instrument/ins-0123456789abcdef/1/{receiver}/webhook/w1",
            "instrument_id": "ins-0123456789abcdef",
            "case_id": "cas-0123456789abcdef",
            "kind": "detainer",
            "reference": "D-2026-0042",
            "status": status,
            "transition": transition,
            "issuer": "ice-ero-nyc",
            "addressee": "nypd",
        },
    }
    return ConfigDict(json_schema_extra={"examples": [example]})


class WebhookEvent(BaseModel):
    """The body of every webhook delivery; each topic's entry fixes its ``type``."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="instrument.received, .answered, .changed or .reminder")
    timestamp: str = Field(description="When it happened (ISO 8601 with a zone).")
    data: EventData


# One model per topic, so that a receiver generated from the contract tells them apart by
# ``type`` alone.
class InstrumentReceived(WebhookEvent):
    model_config = _shown("received", "issue", "issued", "nypd")
    type: Literal["instrument.received"]


class InstrumentAnswered(WebhookEvent):
    model_config = _shown("answered", "determine", "declined", "ice-ero-nyc")
    type: Literal["instrument.answered"]


class InstrumentChanged(WebhookEvent):
    model_config = _shown("changed", "withdraw", "withdrawn", "nypd")
    type: Literal["instrument.changed"]


class InstrumentReminder(WebhookEvent):
    model_config = _shown("reminder", "acknowledge", "acknowledged", "nypd")
    type: Literal["instrument.reminder"]


WebhookId = Annotated[
    str, Header(alias="webhook-id", description="The message id, the same on every retry.")
]
WebhookTimestamp = Annotated[
    str,
    Header(
        alias="webhook-timestamp",
        pattern=r"^[0-9]{1,12}$",
        description="Seconds since the Unix epoch; refuse deliveries more than 5 minutes off.",
    ),
]
WebhookSignature = Annotated[
    str,
    Header(
        alias="webhook-signature",
        description="Space-separated `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` "
        "with the subscription's secret (two during a rotation: accept either).",
    ),
]

RECEIVER_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Received. Any 2xx will do; the body is ignored."},
    410: {"description": "Permanent: any 4xx but 408 and 429 stops the retries for this event."},
    503: {"description": "Temporary: a 5xx, 408, 429 or no answer is retried with backoff."},
}


def _describe(topic: Topic, event: type[WebhookEvent], summary: str) -> None:
    def receive(
        body: WebhookEvent,
        webhook_id: WebhookId,
        webhook_timestamp: WebhookTimestamp,
        webhook_signature: WebhookSignature,
    ) -> None:
        """Verify the signature (e.g. ``standardwebhooks.Webhook(secret).verify``) before
        trusting the body."""

    receive.__annotations__["body"] = event  # the topic's own model, in the contract

    router.post(
        f"instrument.{topic.value}",
        name=f"on_instrument_{topic.value}",
        summary=summary,
        tags=["notifications"],
        status_code=200,
        responses=RECEIVER_ANSWERS,
    )(receive)


_describe(Topic.RECEIVED, InstrumentReceived, "An instrument arrived for the receiving agency.")
_describe(
    Topic.ANSWERED, InstrumentAnswered, "An instrument the receiving agency issued was answered."
)
_describe(Topic.CHANGED, InstrumentChanged, "Another change the receiving agency may learn of.")
_describe(
    Topic.REMINDER, InstrumentReminder, "Something the receiving agency must act on is due soon."
)

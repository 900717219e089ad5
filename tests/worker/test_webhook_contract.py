"""What the worker really sends a webhook receiver is what the OpenAPI document's ``webhooks``
promise: the body validates against the payload schema of its event's entry, and every header
the entry names arrives, so that a receiver generated from the contract accepts it."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from lexdesk.services import notifications
from tests.lawful.harness import Lawful, issue
from tests.worker.sinks import WebhookSink, webhook_server
from tests.worker.test_delivery import a_detainer_for_doc, worker


def contract() -> dict[str, Any]:
    return create_app(build(Settings(database_url="sqlite:///:memory:"))).openapi()


def test_every_delivery_fits_the_webhook_entry_of_its_event(world: Lawful) -> None:
    document = contract()
    sink = WebhookSink()
    with webhook_server(sink) as hook:
        notifications.add_subscription(world.desk, "doc-admin", hook, [])
        a_detainer_for_doc(world)
        issue(world, "notification_request", ("notify_release",))
        worker(world).deliver()
    assert len(sink.received) == 2
    for delivery in sink.received:
        body = json.loads(delivery.body)
        entry = document["webhooks"][body["type"]]["post"]
        schema = entry["requestBody"]["content"]["application/json"]["schema"]
        rooted = {**schema, "components": document["components"]}
        errors = [e.message for e in Draft202012Validator(rooted).iter_errors(body)]
        assert not errors, errors
        named = {p["name"] for p in entry["parameters"] if p["in"] == "header"}
        assert named <= {name.lower() for name in delivery.headers}

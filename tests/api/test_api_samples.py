"""The request and answer samples in docs/api.md are made by the server, not typed: each block
between ``<!-- sample: NAME -->`` and ``<!-- /sample -->`` is what this test gets when it sends
that request to a seeded desk (ids, tokens and keys replaced by stable placeholders). A test
fails when the page and the server disagree; regenerate the page with
``LEXDESK_WRITE_DOCS=1 pytest tests/api/test_api_samples.py``."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from lexdesk.adapters.couriers import WebhookCourier
from lexdesk.domain.notifications import Channel, Event, Message, Topic
from tests.api.test_exchange import nyc_doc
from tests.api.world import World, build_world
from tests.databases import sqlite_url

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROSTER = DOC.parent / "examples" / "roster.csv"
BLOCK = re.compile(r"(<!-- sample: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /sample -->)", re.S)
KEY = "3f0c9a52-6d1e-4b7a-9e55-0c2b8f1d7a44"
HIDDEN = ("authorization",)
SHOWN_HEADERS = ("location", "etag", "idempotent-replayed", "content-type", "retry-after")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(sqlite_url(tmp_path_factory.mktemp("samples")))


class Placeholders:
    """Random ids become ``ins-0000000000000001``, … in order of appearance."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        def stable(match: re.Match[str]) -> str:
            found = match.group(0)
            if found not in self.seen:
                prefix = found[:4]
                count = sum(1 for v in self.seen.values() if v.startswith(prefix)) + 1
                self.seen[found] = f"{prefix}{count:016x}"
            return self.seen[found]

        return re.sub(r"\b[a-z]{3}-[0-9a-f]{16}\b", stable, text)


def exchange(world: World, method: str, path: str, user: str, body: Any, **headers: str) -> str:
    sent = {"Authorization": "Bearer <session token>", **headers}
    answer = world.client.request(method, path, json=body, headers=world.auth(user) | headers)
    return http_pair(method, path, sent, body, answer)


def http_pair(
    method: str, path: str, sent: dict[str, str], body: Any, answer: httpx.Response
) -> str:
    request_lines = [f"{method} {path}", *(f"{k}: {v}" for k, v in sent.items())]
    if isinstance(body, str):
        request_lines += ["", body.rstrip("\n")]
    elif body is not None:
        request_lines += ["Content-Type: application/json", "", json.dumps(body, indent=2)]
    shown = [f"{k.title()}: {v}" for k, v in answer.headers.items() if k in SHOWN_HEADERS]
    answer_lines = [f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}", *shown]
    if answer.content:
        answer_lines += ["", json.dumps(answer.json(), indent=2)]
    return (
        "```http\n"
        + "\n".join(request_lines)
        + "\n```\n\n```http\n"
        + "\n".join(answer_lines)
        + "\n```\n"
    )


DETAINER = {
    "kind": "detainer",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["hold", "notify_release"],
    "warrant": "judicial",
    "reference": "D-2026-0042",
}


def issue_once(world: World) -> str:
    first = exchange(world, "POST", "/api/v1/instruments", "ice-officer", DETAINER, **{
        "Idempotency-Key": KEY
    })  # fmt: skip
    again = exchange(world, "POST", "/api/v1/instruments", "ice-officer", DETAINER, **{
        "Idempotency-Key": KEY
    })  # fmt: skip
    return first + "\nSent again with the same key and body:\n\n" + again


def refused_by_schema(world: World) -> str:
    body = DETAINER | {"kind": "summons"}
    return exchange(world, "POST", "/api/v1/instruments", "ice-officer", body)


def refused_by_rules(world: World) -> str:
    body = DETAINER | {"addressee": "nowhere"}
    return exchange(world, "POST", "/api/v1/instruments", "ice-officer", body)


def roster_import(world: World) -> str:
    """The sample file of docs/roster.md, then the same file with a wrong date on line 3."""
    roster = ROSTER.read_text()
    wrong = roster.replace("2026-11-22T21:05:00-05:00", "2026-11-31T21:05:00-05:00")
    shown = []
    for body in (roster, wrong):
        sent = {"Authorization": "Bearer <session token>", "Content-Type": "text/csv"}
        answer = world.client.post(
            "/api/v1/roster-imports",
            content=body.encode(),
            headers=world.auth("doc-officer") | {"Content-Type": "text/csv"},
        )
        shown.append(http_pair("POST", "/api/v1/roster-imports", sent, body, answer))
    return shown[0] + "\nThe same file with a day that does not exist on line 3:\n\n" + shown[1]


def exchange_import(world: World) -> str:
    """The example of docs/exchange.md, lodged by an immigration agency's case system."""
    nyc_doc(world)
    example = json.loads((DOC.parent / "examples" / "instrument-exchange.json").read_text())
    key = {"Idempotency-Key": "9b1e4c07-2f3a-4d58-8c61-5e0a7b2d9f13"}
    return exchange(world, "POST", "/api/v1/instrument-exchanges", "ice-officer", example, **key)


def webhook_subscription(world: World) -> str:
    body = {"url": "https://cms.example.gov/lexdesk/events", "topics": ["answered"]}
    shown = exchange(world, "POST", "/api/v1/webhooks", "ice-admin", body)
    return re.sub(r'"secret": "whsec_[^"]+"', '"secret": "whsec_<shown once>"', shown)


def webhook_delivery(world: World) -> str:
    """What the immigration agency's endpoint receives when the jail answers its detainer."""
    at = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    event = Event(
        key="instrument/ins-0123456789abcdef/3/ice",
        agency_id="ice",
        topic=Topic.ANSWERED,
        subject="Answered: Detainer D-2026-0042 by DOC (declined)",
        link="/instruments/ins-0123456789abcdef",
        at=at,
        instrument_id="ins-0123456789abcdef",
        data={
            "instrument_id": "ins-0123456789abcdef",
            "case_id": "cas-0123456789abcdef",
            "kind": "detainer",
            "reference": "D-2026-0042",
            "status": "declined",
            "transition": "determine",
            "issuer": "ice",
            "addressee": "doc",
        },
    )
    message = Message(
        id=1,
        key=f"{event.key}/webhook/whk-0123456789abcdef",
        event=event,
        channel=Channel.WEBHOOK,
        target="whk-0123456789abcdef",
        address="https://cms.example.gov/lexdesk/events",
        secrets=("whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",),
    )
    courier = WebhookCourier(wall_clock=lambda: at)
    payload = courier.payload(message)
    headers = courier.headers(message, payload)
    lines = ["POST /lexdesk/events", *(f"{k}: {v}" for k, v in headers.items())]
    body = json.dumps(json.loads(payload), indent=2)
    return "```http\n" + "\n".join(lines) + "\n\n" + body + "\n```\n"


SAMPLES: dict[str, Callable[[World], str]] = {
    "issue-once": issue_once,
    "refused-by-schema": refused_by_schema,
    "refused-by-rules": refused_by_rules,
    "exchange-import": exchange_import,
    "webhook-subscription": webhook_subscription,
    "webhook-delivery": webhook_delivery,
    "roster-import": roster_import,
}


def render(world: World, text: str) -> str:
    stable = Placeholders()

    def filled(match: re.Match[str]) -> str:
        name = match.group("name")
        assert name in SAMPLES, f"docs/api.md names an unknown sample {name!r}"
        return match.group(1) + stable(SAMPLES[name](world)) + match.group(4)

    return BLOCK.sub(filled, text)


def test_the_samples_in_the_guide_are_what_the_server_answers(world: World) -> None:
    text = DOC.read_text()
    assert set(SAMPLES) <= {m.group("name") for m in BLOCK.finditer(text)}
    rendered = render(world, text)
    if os.environ.get("LEXDESK_WRITE_DOCS") == "1":
        DOC.write_text(rendered)
    assert rendered == text, "docs/api.md is stale: LEXDESK_WRITE_DOCS=1 pytest " + __file__

"""The check behind "``/api/v1`` only grows" (``tests/api/compatibility.py``): each way of
breaking a generated client is named, and additions pass."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.api.compatibility import breaking_changes

TODAY = date(2026, 12, 1)
REF = "#/components/schemas/"


def published() -> dict[str, Any]:
    """A small contract: issue an instrument (body, header, answer), read one (path, query)."""
    return {
        "paths": {
            "/instruments": {
                "post": {
                    "operationId": "issue_instrument",
                    "parameters": [
                        {"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": REF + "IssueBody"}}},
                    },
                    "responses": {
                        "201": {
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {"$ref": REF + "Out"}}},
                        },
                        "422": {"description": "refused"},
                    },
                }
            },
            "/instruments/{id}": {
                "get": {
                    "operationId": "get_instrument",
                    "parameters": [
                        {"in": "path", "name": "id", "required": True},
                        {"in": "query", "name": "view"},
                    ],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": REF + "Out"}}}}
                    },
                }
            },
        },
        "webhooks": {
            "instrument.received": {
                "post": {
                    "operationId": "on_instrument_received",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": REF + "Event"}}}
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "IssueBody": {
                    "type": "object",
                    "properties": {
                        "kind": {"$ref": REF + "Kind"},
                        "reference": {"type": "string"},
                        "note": {"type": "string"},
                    },
                    "required": ["kind"],
                },
                "Kind": {"type": "string", "enum": ["detainer", "subpoena"]},
                "Out": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "due_at": {"type": "string"}},
                    "required": ["id"],
                },
                "Event": {
                    "type": "object",
                    "properties": {"type": {"type": "string"}},
                    "required": ["type"],
                },
            }
        },
    }


def changed(change: Callable[[dict[str, Any]], object]) -> list[str]:
    after = copy.deepcopy(published())
    change(after)
    return breaking_changes(published(), after, TODAY)


def test_the_same_document_breaks_nothing() -> None:
    assert breaking_changes(published(), published(), TODAY) == []


def _schemas(document: dict[str, Any]) -> Any:
    return document["components"]["schemas"]


def _issue(document: dict[str, Any]) -> Any:
    return document["paths"]["/instruments"]["post"]


def _get(document: dict[str, Any]) -> Any:
    return document["paths"]["/instruments/{id}"]["get"]


ADDITIONS: dict[str, Callable[[dict[str, Any]], object]] = {
    "a new operation": lambda d: d["paths"].__setitem__(
        "/cases", {"get": {"operationId": "list_cases", "responses": {}}}
    ),
    "an optional parameter": lambda d: _get(d)["parameters"].append(
        {"in": "query", "name": "fields"}
    ),
    "a response field": lambda d: _schemas(d)["Out"]["properties"].__setitem__(
        "status", {"type": "string"}
    ),
    "an optional request field": lambda d: _schemas(d)["IssueBody"]["properties"].__setitem__(
        "served_at", {"type": "string"}
    ),
    "an enumeration value": lambda d: _schemas(d)["Kind"]["enum"].append("order"),
    "a response header": lambda d: _issue(d)["responses"]["201"]["headers"].__setitem__(
        "ETag", {"schema": {"type": "string"}}
    ),
    "a new schema": lambda d: _schemas(d).__setitem__("Case", {"type": "object"}),
    "a webhook": lambda d: d["webhooks"].__setitem__(
        "instrument.answered", {"post": {"operationId": "on_instrument_answered"}}
    ),
    "a field always present from now on": lambda d: _schemas(d)["Out"]["required"].append("due_at"),
    "a refusal documented": lambda d: _issue(d)["responses"].__setitem__(
        "409", {"description": "conflict"}
    ),
}


@pytest.mark.parametrize("change", ADDITIONS.values(), ids=ADDITIONS.keys())
def test_additions_break_nothing(change: Callable[[dict[str, Any]], object]) -> None:
    assert changed(change) == []


BREAKS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "an operation removed": (
        lambda d: d["paths"].pop("/instruments/{id}"),
        "GET /instruments/{id}: gone",
    ),
    "an operation renamed": (
        lambda d: _get(d).__setitem__("operationId", "read_instrument"),
        "operationId get_instrument -> read_instrument",
    ),
    "a parameter removed": (
        lambda d: _get(d)["parameters"].pop(),
        "parameter view (query) gone",
    ),
    "a parameter made required": (
        lambda d: _get(d)["parameters"][1].__setitem__("required", True),
        "parameter view (query) now required",
    ),
    "a new required parameter": (
        lambda d: _get(d)["parameters"].append({"in": "header", "name": "X-Why", "required": True}),
        "new required parameter x-why (header)",
    ),
    "a body made required": (
        lambda d: _get(d).__setitem__("requestBody", {"required": True}),
        "request body now required",
    ),
    "a success answer gone": (
        lambda d: _issue(d)["responses"].pop("201"),
        "answer 201 gone",
    ),
    "a response header gone": (
        lambda d: _issue(d)["responses"]["201"].pop("headers"),
        "answer 201: header Location gone",
    ),
    "a schema renamed": (
        lambda d: _schemas(d).__setitem__("Output", _schemas(d).pop("Out")),
        "schema Out: gone",
    ),
    "a property gone": (
        lambda d: _schemas(d)["Out"]["properties"].pop("due_at"),
        "schema Out: property due_at gone",
    ),
    "a property retyped": (
        lambda d: _schemas(d)["IssueBody"]["properties"].__setitem__(
            "reference", {"type": "integer"}
        ),
        "schema IssueBody: property reference: type string -> integer",
    ),
    "a request field made required": (
        lambda d: _schemas(d)["IssueBody"]["required"].append("reference"),
        "schema IssueBody: property reference now required of the client",
    ),
    "an accepted value withdrawn": (
        lambda d: _schemas(d)["Kind"]["enum"].remove("subpoena"),
        "schema Kind: enumeration values ['subpoena'] no longer accepted",
    ),
    "an answer field made optional": (
        lambda d: _schemas(d)["Out"].__setitem__("required", []),
        "schema Out: property id no longer always present",
    ),
    "a webhook payload's field made optional": (
        lambda d: _schemas(d)["Event"].__setitem__("required", []),
        "schema Event: property type no longer always present",
    ),
    "a webhook gone": (
        lambda d: d["webhooks"].clear(),
        "webhook instrument.received: gone",
    ),
    "a webhook renamed": (
        lambda d: d["webhooks"]["instrument.received"]["post"].__setitem__("operationId", "x"),
        "webhook instrument.received: operationId changed",
    ),
}


@pytest.mark.parametrize(("change", "named"), BREAKS.values(), ids=BREAKS.keys())
def test_each_break_is_named(change: Callable[[dict[str, Any]], object], named: str) -> None:
    found = changed(change)
    assert any(named in line for line in found), found


def test_an_operation_may_go_after_its_sunset_not_before() -> None:
    before = published()
    _get(before).update({"deprecated": True, "x-sunset": "2026-11-30"})
    after = copy.deepcopy(before)
    del after["paths"]["/instruments/{id}"]
    assert breaking_changes(before, after, TODAY) == []
    assert breaking_changes(before, after, date(2026, 11, 29)) == ["GET /instruments/{id}: gone"]

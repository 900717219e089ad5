"""What "``/api/v1`` only grows" means, checked: every way a new OpenAPI document could break a
client generated from an older one (the published contract, ``docs/openapi-v1.json``).

Breaking, for a client of the old document:
- an operation gone (unless it was deprecated and its sunset has passed), or its id changed;
- a parameter gone, moved, or newly required; a request body newly required;
- a documented success status or response header gone;
- a named schema gone (generated clients name their classes after them), or one of its
  properties gone or retyped;
- in what a client sends: a property newly required, an enumeration value gone;
- in what a client receives: a property that was always there now optional;
- a webhook gone, or its payload changed as a receiver would see it.

Adding operations, optional parameters, response fields and enumeration values is fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

Document = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch")


def breaking_changes(before: Document, after: Document, today: date) -> list[str]:
    """Every change from ``before`` to ``after`` that breaks a client of ``before``."""
    found: list[str] = []
    found += _operations(before, after, today)
    found += _schemas(before, after)
    for name, item in before.get("webhooks", {}).items():
        now = after.get("webhooks", {}).get(name, {}).get("post")
        if now is None:
            found.append(f"webhook {name}: gone")
        elif item["post"].get("operationId") != now.get("operationId"):
            found.append(f"webhook {name}: operationId changed")
    return found


def _operations(before: Document, after: Document, today: date) -> Iterator[str]:
    for path, item in before.get("paths", {}).items():
        for method in METHODS:
            old = item.get(method)
            if old is None:
                continue
            where = f"{method.upper()} {path}"
            new = after.get("paths", {}).get(path, {}).get(method)
            if new is None:
                sunset = old.get("x-sunset")
                if not (old.get("deprecated") and sunset and date.fromisoformat(sunset) < today):
                    yield f"{where}: gone"
                continue
            if old.get("operationId") != new.get("operationId"):
                yield f"{where}: operationId {old.get('operationId')} -> {new.get('operationId')}"
            yield from (f"{where}: {change}" for change in _operation(old, new))


def _operation(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    def parameters(operation: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(p["in"], p["name"].lower()): p for p in operation.get("parameters", [])}

    was, now = parameters(old), parameters(new)
    for key, parameter in was.items():
        if key not in now:
            yield f"parameter {key[1]} ({key[0]}) gone"
        elif now[key].get("required") and not parameter.get("required"):
            yield f"parameter {key[1]} ({key[0]}) now required"
    for key, parameter in now.items():
        if key not in was and parameter.get("required"):
            yield f"new required parameter {key[1]} ({key[0]})"
    if new.get("requestBody", {}).get("required") and not old.get("requestBody", {}).get(
        "required"
    ):
        yield "request body now required"
    for code, answer in old.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        if code not in new.get("responses", {}):
            yield f"answer {code} gone"
            continue
        headers = {name.lower() for name in new["responses"][code].get("headers", {})}
        for name in answer.get("headers", {}):
            if name.lower() not in headers:
                yield f"answer {code}: header {name} gone"


def _schemas(before: Document, after: Document) -> Iterator[str]:
    old_schemas = before.get("components", {}).get("schemas", {})
    new_schemas = after.get("components", {}).get("schemas", {})
    sent, received = _directions(before)
    for name, old in old_schemas.items():
        new = new_schemas.get(name)
        if new is None:
            yield f"schema {name}: gone"
            continue
        yield from (
            f"schema {name}: {change}"
            for change in _schema(old, new, name in sent, name in received)
        )


def _schema(old: dict[str, Any], new: dict[str, Any], sent: bool, received: bool) -> Iterator[str]:
    if _type(old) != _type(new):
        yield f"type {_type(old)} -> {_type(new)}"
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    for field, schema in old_properties.items():
        if field not in new_properties:
            yield f"property {field} gone"
        elif _type(schema) != _type(new_properties[field]):
            yield f"property {field}: type {_type(schema)} -> {_type(new_properties[field])}"
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    if sent:
        for field in sorted(new_required - old_required):
            yield f"property {field} now required of the client"
        gone = set(_enum(old)) - set(_enum(new))
        if gone:
            yield f"enumeration values {sorted(gone)} no longer accepted"
    if received:
        for field in sorted((old_required - new_required) & set(new_properties)):
            yield f"property {field} no longer always present"


def _type(schema: dict[str, Any]) -> Any:
    """A schema's type as a client sees it: the named schema or the JSON type(s)."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return sorted(str(_type(s)) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return ["array", _type(schema.get("items", {}))]
    return schema.get("type")


def _enum(schema: dict[str, Any]) -> list[Any]:
    return list(schema.get("enum", []))


def _directions(document: Document) -> tuple[set[str], set[str]]:
    """The named schemas a client sends (request bodies, parameters) and those it receives
    (answers, webhook payloads), each with every schema they refer to."""
    sent: list[Any] = []
    received: list[Any] = []
    for item in document.get("paths", {}).values():
        for operation in (item[method] for method in METHODS if method in item):
            sent += [operation.get("requestBody", {}), operation.get("parameters", [])]
            received.append(operation.get("responses", {}))
    for item in document.get("webhooks", {}).values():
        received += [item.get("post", {}).get("requestBody", {})]  # the receiver reads it
    schemas = document.get("components", {}).get("schemas", {})
    return _closure(sent, schemas), _closure(received, schemas)


def _closure(roots: list[Any], schemas: dict[str, Any]) -> set[str]:
    named: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in named and name in schemas:
                    named.add(name)
                    stack.append(schemas[name])
            stack.extend(value for key, value in node.items() if key != "$ref")
        elif isinstance(node, list):
            stack.extend(node)
    return named

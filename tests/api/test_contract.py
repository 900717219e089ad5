"""The OpenAPI document is a contract an integrator can generate a client from: it validates
against the OpenAPI specification, every operation has a short, stable id and a tag, every
answer names its statuses, its headers (with schemas) and its error body, every request body
has an example, and the webhooks lexdesk sends are described with their signature headers.
``/api/v1`` only grows: the document is compared with the published one
(``docs/openapi-v1.json``) and may only add to it; after an addition,
``LEXDESK_WRITE_DOCS=1 pytest tests/api/test_contract.py`` publishes the new one."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from tests.api.compatibility import breaking_changes
from tests.api.fuzzing import undocumented_headers
from tests.api.world import World

PUBLISHED = Path(__file__).parents[2] / "docs" / "openapi-v1.json"
OPERATION_ID = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(build(Settings(database_url="sqlite:///:memory:")))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    return dict(served.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_the_served_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises, naming the first place it breaks the specification


def test_every_operation_has_a_short_unique_id_and_a_described_tag(
    document: dict[str, Any],
) -> None:
    webhooks = [item["post"] for item in document["webhooks"].values()]
    ids = [operation.get("operationId", "") for _, _, operation in operations(document)]
    ids += [operation.get("operationId", "") for operation in webhooks]
    assert all(OPERATION_ID.match(i) and "api_v1" not in i for i in ids), ids
    assert len(ids) == len(set(ids))
    described = {tag["name"] for tag in document.get("tags", []) if tag.get("description")}
    for method, path, operation in operations(document):
        assert operation.get("tags"), f"{method} {path} has no tag"
        assert set(operation["tags"]) <= described, f"{method} {path}: undescribed tag"


def test_the_ids_integrators_build_on_stay_put(document: dict[str, Any]) -> None:
    """Renaming one of these breaks every generated client: /api/v1 only adds."""
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    assert {
        "sign_in_password",
        "sign_in_code",
        "issue_instrument",
        "acknowledge_instrument",
        "determine_instrument",
        "escalate_instrument",
        "withdraw_instrument",
        "get_instrument",
        "list_instruments",
        "list_cases",
        "get_case",
        "book_person",
    } <= ids


def test_every_answer_documents_its_statuses_headers_and_error_body(
    document: dict[str, Any],
) -> None:
    for method, path, operation in operations(document):
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), f"{method} {path}"
        assert "422" in responses, f"{method} {path}"
        assert "404" in responses or "{" not in path, f"{method} {path}"
        for code, response in responses.items():
            for name, header in response.get("headers", {}).items():
                assert "schema" in header, f"{method} {path} {code}: header {name}"
            if code[0] == "4":
                body = response["content"]["application/json"]["schema"]
                assert "$ref" in body, f"{method} {path} {code}: no error body"
        if operation.get("x-permission") != "public":
            assert "401" in responses, f"{method} {path}"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        for media, content in operation["requestBody"]["content"].items():
            schema = content.get("schema", {})
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            has = "example" in content or "examples" in content or "examples" in schema
            assert has, f"{method} {path} ({media}) has no example"


def test_no_parameter_is_nullable(document: dict[str, Any]) -> None:
    """A header or query parameter is sent or left out; it is never null."""
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            alternatives = schema.get("anyOf", [])
            assert {"type": "null"} not in alternatives, f"{method} {path} {parameter['name']}"


def test_the_webhooks_are_in_the_contract_with_their_signature_headers(
    document: dict[str, Any],
) -> None:
    webhooks = document.get("webhooks", {})
    topics = {"received", "answered", "changed", "reminder"}
    assert {f"instrument.{topic}" for topic in topics} <= set(webhooks)
    for name, item in webhooks.items():
        operation = item["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers, name
        assert "$ref" in operation["requestBody"]["content"]["application/json"]["schema"]


def test_the_versioning_policy_is_stated(document: dict[str, Any]) -> None:
    description = document["info"]["description"]
    assert "Deprecation" in description and "Sunset" in description
    assert document["info"]["version"]


def test_every_request_example_fits_its_schema(document: dict[str, Any]) -> None:
    """An example that drifted from its model would teach integrators a refused request."""
    checked = 0
    for method, path, operation in operations(document):
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            schema = content["schema"]
            named = schema.get("$ref", "").rsplit("/", 1)[-1]
            examples = document["components"]["schemas"].get(named, {}).get("examples", [])
            for example in [*examples, *([content["example"]] if "example" in content else [])]:
                if media == "multipart/form-data":
                    example = {k: v for k, v in example.items() if k != "file"}
                    schema = {**_resolved(document, schema), "required": []}
                rooted = {**schema, "components": document["components"]}  # for its $refs
                validator = Draft202012Validator(rooted)
                errors = [e.message for e in validator.iter_errors(example)]
                assert not errors, f"{method.upper()} {path} example: {errors}"
                checked += 1
    assert checked >= 20


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in schema:
        return schema
    return dict(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])


def test_every_schema_has_a_plain_name(document: dict[str, Any]) -> None:
    """Two models of one name get module-path names, which a generated client carries."""
    assert not [name for name in document["components"]["schemas"] if "__" in name]


def test_v1_only_grows(document: dict[str, Any]) -> None:
    """Nothing a client of the published contract relies on is gone or changed
    (``compatibility.py`` says what counts), and the published document is this one."""
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert not breaking_changes(published, document, datetime.now(UTC).date())
    if os.environ.get("LEXDESK_WRITE_DOCS") == "1":
        PUBLISHED.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
        published = document
    assert published == document, (
        "the contract grew: LEXDESK_WRITE_DOCS=1 pytest tests/api/test_contract.py publishes it"
    )


def test_the_answers_that_carry_headers_document_them(world: World) -> None:
    """The challenge of a 401, and a verification client told to wait (the fuzzing checks
    the headers of every answer it provokes; these two it reaches seldom or never)."""
    document = world.client.app.openapi()  # type: ignore[attr-defined]
    challenged = world.client.get("/api/v1/cases")
    verifications = [
        world.client.post("/api/v1/verifications", json={"code": "0000-0000-0000"})
        for _ in range(31)
    ]
    assert challenged.status_code == 401 and challenged.headers["www-authenticate"] == "Bearer"
    listing = document["paths"]["/api/v1/cases"]["get"]
    assert not undocumented_headers(listing, 401, challenged.headers)
    waited = verifications[-1]
    assert waited.status_code == 429 and int(waited.headers["retry-after"]) >= 1
    verifying = document["paths"]["/api/v1/verifications"]["post"]
    assert not undocumented_headers(verifying, 429, waited.headers)


def test_a_cursor_past_the_databases_integers_is_refused_not_a_crash(world: World) -> None:
    """Found by the fuzzing: 19 digits fitted the schema and overflowed SQLite's integers."""
    at = "/api/v1/notifications?cursor="
    past = world.client.get(at + "9300000000000000000", headers=world.auth("doc-officer"))
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "query.cursor"
    widest = world.client.get(at + "9" * 16, headers=world.auth("doc-officer"))
    assert widest.status_code == 200, widest.text

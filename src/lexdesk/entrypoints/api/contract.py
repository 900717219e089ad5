"""The OpenAPI document as integrators build on it: a short, stable id per operation (the
route's name), described tags, the versioning policy, the webhooks lexdesk sends, and no
parameter that claims it may be null (a header or query parameter is sent or left out).

The document is made once per application and served at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from lexdesk.domain.idempotency import HEADER
from lexdesk.entrypoints.api import webhooks
from lexdesk.entrypoints.api.examples import INLINE_EXAMPLES, REQUEST_EXAMPLES
from lexdesk.entrypoints.api.exchange_document import schema_components
from lexdesk.entrypoints.api.headers import (
    LOCATION,
    ON_EVERY_ANSWER,
    REPLAYED,
    RETIREMENT,
    WWW_AUTHENTICATE,
)

#: Every tag an operation may carry, in the order a reader meets them.
TAGS = (
    ("session", "Sign in with a password and a TOTP code, confirm who one is, sign out."),
    ("agencies", "The directory of agencies; an administrator's users and role grants."),
    ("cases", "The cases one's agency takes part in, with the instruments it may see."),
    ("instruments", "Detainers, requests, subpoenas, referrals, petitions and orders: issue "
     "them, acknowledge, determine, escalate, withdraw; their history and evaluation."),
    ("persons", "The custodial side: book a person, read one's own records and disclosures."),
    ("exchange", "Exchange formats: a case's instruments as NIEM-named JSON; the jail roster."),
    ("notifications", "One's notifications and preferences; the agency's webhooks."),
    ("attachments", "Files on an instrument or its answer; service of process."),
    ("productions", "The records an answer released, Bates-numbered and signed."),
    ("audit", "An auditor's view of the agency's tamper-evident audit trail."),
    ("transparency", "The published transparency reports (public)."),
    ("verifications", "Is this document one the desk issued (public, rate-limited)."),
    ("health", "Is the desk fit to serve (public)."),
)  # fmt: skip

POLICY = """\
The desk for the legal process between agencies about people in custody.

**Versioning.** Everything under `/api/v1` stays compatible: a release may add operations,
optional parameters, response fields and enumeration values, never remove or rename one or
make an optional input required. Clients must ignore response fields they do not know. An
operation's `operationId` is stable; generated clients are named by it.

**Deprecation.** Before anything under `/api/v1` is removed it is marked `deprecated` here, and
every answer of it carries a `Deprecation` header (RFC 9745: the moment it was deprecated), a
`Sunset` header (RFC 8594: the date after which it may go, at least 180 days later) and a
`Link` to its successor with `rel="successor-version"`. The changelog lists every change.

**Errors.** Every error is JSON with a `detail` that says what was wrong and what to do. A 422
with a non-empty `errors` list is a request that does not fit this schema; a 422 with an empty
list, a 409 or a 412 is a request that fits it but that the law, the instrument's state or
another writer refuses.

**Idempotency.** A `POST` that creates something takes an `Idempotency-Key` header: sent again
with the same key and body within 24 hours, it answers the first result instead of creating
another; with another body, 422.

**Headers.** Every answer carries {every}; every other header an answer may carry is
documented on that answer.
""".format(every=", ".join(f"`{name}`" for name in ON_EVERY_ANSWER))


#: What a POST that takes an Idempotency-Key may also answer.
ALREADY = {
    "description": "A request with this Idempotency-Key is still being answered (retry in a "
    "few seconds); or it was answered and what it created holds a secret shown only once.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
}


#: What the answer of a POST or PUT names that other operations take (OpenAPI links): for the
#: schema of its body, each path parameter it supplies and the JSON pointer to it. An
#: instrument issued links to reading, acknowledging, determining, escalating it and its case;
#: a person booked to reading them; a user added to managing them. Generated clients and the
#: stateful fuzzing (schemathesis) follow these chains.
LINKS: dict[str, dict[str, str]] = {
    "InstrumentOut": {"instrument_id": "/id", "case_id": "/case_id"},
    "PersonOut": {"person_id": "/id"},
    "EnrolmentIssued": {"username": "/user/username"},
    "RolesChanged": {"username": "/user/username"},
    "AccountStateOut": {"username": "/username"},
    "RoleGrantOut": {"grant_id": "/id", "username": "/username"},
    "WebhookSecret": {"subscription_id": "/id"},
    "AttachmentOut": {"attachment_id": "/id"},
}


def install(app: FastAPI) -> None:
    """Serve the contract, made once, as the application's OpenAPI document."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _document(app: FastAPI) -> dict[str, Any]:
    made = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=POLICY,
        routes=app.routes,
        webhooks=webhooks.router.routes,
        tags=[{"name": name, "description": text} for name, text in TAGS],
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    for path, item in made.get("paths", {}).items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _not_null(parameter["schema"])
            _answer_headers(operation)
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                if (method, path, media) in INLINE_EXAMPLES:
                    content["example"] = INLINE_EXAMPLES[method, path, media]
    _link(made.get("paths", {}))
    schemas = made.setdefault("components", {}).setdefault("schemas", {})
    _keys_closed(schemas)
    schemas.update(schema_components())
    for name, schema in schemas.items():
        if name.startswith("Body_"):  # a form's field is sent or left out, never null
            schema["properties"] = {k: _not_null(v) for k, v in schema["properties"].items()}
    for name, example in REQUEST_EXAMPLES.items():
        schemas[name].setdefault("examples", [example])
    return made


def _answer_headers(operation: dict[str, Any]) -> None:
    """The headers that depend on what an operation is rather than on one route: the
    challenge of every 401, the replay mark of every operation that takes an Idempotency-Key,
    and the retirement headers of every answer of a retiring operation."""
    responses = operation["responses"]
    if any(p["name"] == HEADER for p in operation.get("parameters", [])):
        responses.setdefault("409", ALREADY)
        for code in responses:
            if code.startswith("2"):
                responses[code] = _with_headers(responses[code], REPLAYED)
        responses["409"] = _with_headers(responses["409"], {**REPLAYED, **LOCATION})
    if "401" in responses:
        responses["401"] = _with_headers(responses["401"], WWW_AUTHENTICATE)
    if operation.get("deprecated"):
        for code in responses:
            responses[code] = _with_headers(responses[code], RETIREMENT)


def _with_headers(response: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    return {**response, "headers": {**response.get("headers", {}), **headers}}


def _link(paths: dict[str, Any]) -> None:
    """Add the links of :data:`LINKS` to every POST's and PUT's success: one to each other
    operation whose path parameters the answer supplies, named by its operationId."""
    operations = [
        (operation, [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"])
        for item in paths.values()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]
    for item in paths.values():
        for method, producer in item.items():
            if method not in ("post", "put"):
                continue
            for code, response in producer["responses"].items():
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                supplied = LINKS.get(body.get("$ref", "").rsplit("/", 1)[-1])
                if not code.startswith("2") or supplied is None:
                    continue
                links = {
                    target["operationId"]: {
                        "operationId": target["operationId"],
                        "parameters": {f"path.{n}": f"$response.body#{supplied[n]}" for n in names},
                    }
                    for target, names in operations
                    if names and set(names) <= set(supplied) and target is not producer
                }
                if links:
                    response["links"] = dict(sorted(links.items()))


def _keys_closed(node: Any) -> None:
    """A map whose keys must match a pattern (``dict[Fact, bool]``) refuses every other key,
    which the generated ``patternProperties`` alone does not say."""
    if isinstance(node, dict):
        if "patternProperties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _keys_closed(value)
    elif isinstance(node, list):
        for item in node:
            _keys_closed(item)


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, null]`` -> ``X``, keeping the title, description and default."""
    alternatives = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" not in schema or len(alternatives) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if rest.get("default", 0) is None:
        del rest["default"]
    return {**alternatives[0], **rest}

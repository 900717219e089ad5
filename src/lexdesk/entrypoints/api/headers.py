"""The response headers the contract documents, each with its schema. The headers every
answer carries (security headers, ``Cache-Control: no-store``, content type and length) are
stated once, in the document's description (:data:`ON_EVERY_ANSWER`); every other header an
answer may carry is documented on that answer, and the schema fuzzing checks that the server
sends no header its answer does not document (``tests/api/fuzzing.py``)."""

from __future__ import annotations

from typing import Any

from lexdesk.entrypoints.api.hygiene import ALWAYS, ON_API

#: Carried by every answer (the security headers of ``hygiene``), and not repeated on each.
ON_EVERY_ANSWER = ("content-type", "content-length", "date", "server", *ALWAYS, *ON_API)

Headers = dict[str, dict[str, Any]]

LOCATION: Headers = {
    "Location": {
        "description": "The path of what was created, to read it.",
        "schema": {"type": "string", "examples": ["/api/v1/instruments/ins-0123456789abcdef"]},
    }
}
RETRY_AFTER: Headers = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
WWW_AUTHENTICATE: Headers = {
    "WWW-Authenticate": {
        "description": "How to authenticate: a bearer session or API token.",
        "schema": {"type": "string", "const": "Bearer"},
    }
}
REPLAYED: Headers = {
    "Idempotent-Replayed": {
        "description": "`true` when this answers a retry with the same Idempotency-Key: the "
        "first request's result, nothing created again.",
        "schema": {"type": "string", "const": "true"},
    }
}
RETIREMENT: Headers = {
    "Deprecation": {
        "description": "RFC 9745: when the operation was deprecated (`@` and Unix seconds).",
        "schema": {"type": "string", "pattern": "^@[0-9]+$"},
    },
    "Sunset": {
        "description": "RFC 8594: the HTTP date after which the operation may be removed.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'Its successor, `<…>; rel="successor-version"`.',
        "schema": {"type": "string"},
    },
}
CLEARED_COOKIE: Headers = {
    "Set-Cookie": {
        "description": "Clears the web's session cookie, should this browser hold one.",
        "schema": {"type": "string"},
    }
}

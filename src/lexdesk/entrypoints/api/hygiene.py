"""What every response carries and every request is held to: security headers (CSP with
frame-ancestors, HSTS, nosniff, Referrer-Policy; ``Cache-Control: no-store`` on the API, whose
answers carry personal data) and a 1 MiB ceiling on request bodies (413 beyond it; 25 MB
for an attachment's upload).

Plain ASGI middleware: it sees every response, including errors, without buffering bodies.
A header that a page already set (the web pages have their own CSP) is left as it is.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024
TOO_LARGE = "the request body is larger than 1 MiB: send less, or split it"
#: An attachment's upload (the API's, the web's), and a paper's scan recorded with what it says,
#: may carry 25 MB (``domain.attachments.SIZE_LIMIT``) and its form.
UPLOADS = re.compile(
    r"^(/api/v1)?/instruments/[^/]+/attachments$|^/api/v1/paper-instruments$|^/instruments/paper$"
)
UPLOAD_BODY = 25 * 1024 * 1024 + 64 * 1024
UPLOAD_TOO_LARGE = "the file is larger than 25 MB: attach a smaller scan"
API_PREFIX = "/api/"

ALWAYS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
ON_API = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "cache-control": "no-store",
}
_PAGES = {
    "content-security-policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}


class Hygiene:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = ALWAYS | (ON_API if scope["path"].startswith(API_PREFIX) else _PAGES)
        upload = scope["method"] == "POST" and UPLOADS.match(scope["path"]) is not None
        ceiling, said = (UPLOAD_BODY, UPLOAD_TOO_LARGE) if upload else (self.max_body, TOO_LARGE)
        if self._declared_length(scope) > ceiling:
            await _too_large(send, extra, said)
            return

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name.encode(), value.encode())
                    for name, value in extra.items()
                    if name.encode() not in present
                ]
            await send(message)

        await self.app(scope, self._counted(receive, ceiling, said), headed)

    def _declared_length(self, scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0

    def _counted(self, receive: Receive, ceiling: int, said: str) -> Receive:
        """A body sent without a length (chunked) is stopped when it passes the ceiling."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > ceiling:
                raise HTTPException(413, said)
            return message

        return counted


async def _too_large(send: Send, extra: dict[str, str], said: str = TOO_LARGE) -> None:
    body = json.dumps({"detail": said}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode(), value.encode()) for name, value in extra.items()]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})

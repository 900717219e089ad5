"""``Idempotency-Key`` on every POST that creates something (``domain.idempotency``).

A route declares ``once: Once`` (or ``ShownOnce`` when its answer holds a secret shown once),
after its permission parameter, whose dependency has put the principal on the request: the
key is the account's own. The claim is made before the route runs; ``settle`` keeps the answer
once it is sent (``errors.ApiRoute``), or forgets the claim if the request was refused.

An answer that shows a secret once (an enrolment code, a webhook's signing secret) is
never kept: sent again, the request is answered 409 with the created object's Location.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from lexdesk.adapters.idempotency_store import IdempotencyStore
from lexdesk.domain.idempotency import HEADER, KEY, Remembered, checked_key, fingerprint
from lexdesk.entrypoints.api.context import built

KEPT_HEADERS = ("location", "etag", "content-type")
REPLAYED = "Idempotent-Replayed"

KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        pattern=KEY.pattern,
        description="Any unique value (a UUID): sent again with the same body within 24 hours, "
        "the request answers the first result instead of creating another.",
    ),
]


class Replay(Exception):
    def __init__(self, remembered: Remembered, shows_secret: bool) -> None:
        self.remembered = remembered
        self.shows_secret = shows_secret


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str
    shows_secret: bool


def _claimer(shows_secret: bool) -> Callable[..., Awaitable[None]]:
    async def claim(request: Request, idempotency_key: KeyHeader = None) -> None:
        if idempotency_key is None:
            return
        principal = getattr(request.state, "principal", None)
        if principal is None:  # a route that declared the key before its permission
            raise RuntimeError("declare the idempotency key after the route's permission")
        key = checked_key(idempotency_key)
        scope = f"{principal.agency_id}/{principal.via}/{principal.username}"
        print_ = fingerprint(request.method, request.url.path, await _body_of(request))
        app = built(request)
        store = IdempotencyStore(app.engine)
        now = app.desk.clock.now()
        found = await run_in_threadpool(store.claim, scope, key, print_, now)
        if found is not None:
            raise Replay(found, shows_secret)
        request.state.idempotency = Claim(scope, key, shows_secret)

    return claim


Once = Annotated[None, Depends(_claimer(shows_secret=False))]
ShownOnce = Annotated[None, Depends(_claimer(shows_secret=True))]


async def _body_of(request: Request) -> bytes:
    """The body as sent; a form's fields and each file's digest (the form is already read)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body()
    parts = []
    for name, value in (await request.form()).multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            await value.seek(0)
            value = f"{value.filename}:{hashlib.sha256(data).hexdigest()}"
        parts.append(f"{name}={value}")
    return "\n".join(parts).encode()


def replayed(replay: Replay) -> Response:
    found = replay.remembered
    headers = {**found.headers, REPLAYED: "true"}
    if replay.shows_secret:
        detail = (
            "this request was already answered and what it created holds a secret shown only "
            "once; read the object at its Location, or rotate or reset the secret"
        )
        headers.pop("content-type", None)
        body = json.dumps({"detail": detail}).encode()
        return Response(body, 409, headers, media_type="application/json")
    return Response(found.body, found.status or 200, headers)


def settle(request: Request, response: Response | None) -> None:
    """Keep a successful answer under its key; forget the claim of a refused request."""
    claim: Claim | None = getattr(request.state, "idempotency", None)
    if claim is None:
        return
    store = IdempotencyStore(built(request).engine)
    body = getattr(response, "body", None)
    if response is None or not 200 <= response.status_code < 300 or body is None:
        store.release(claim.scope, claim.key)
        return
    kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    store.answer(
        claim.scope, claim.key, response.status_code, b"" if claim.shows_secret else body, kept
    )

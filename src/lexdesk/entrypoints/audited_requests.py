"""Every request on the audit channel it came in by, and every refused request on record.

Each request opens the audit channel (``services.audit.open_channel``): ``api`` or ``web``, and
the client's User-Agent, which every entry written while it is handled carries (CJIS AU-3 (c),
(d)). A request answered with a refusal (security.md row 14: 401, 403, 404, 405, 409, 412, 413,
422, 429) that no service put on record itself — a body that does not fit the schema, a page
that does not exist, a flood throttled, a body too large — is recorded here, before the answer
leaves: who (as far as known), what route, with what status. Plain ASGI: it sees the answers of
the exception handlers and of the other middleware inside it.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexdesk.entrypoints.api import PREFIX
from lexdesk.services import audit
from lexdesk.services.context import Desk

REFUSED = frozenset({401, 403, 404, 405, 409, 412, 413, 422, 429})
#: Refusals of who the caller is or what they may see; the rest refuse what was asked.
DENIED = frozenset({401, 403, 404})


class AuditedRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        component = "api" if scope["path"].startswith("/api/") else "web"
        via = audit.open_channel(component, Headers(scope=scope).get("user-agent", ""))

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if status in REFUSED and via.refusals == 0:
                    await run_in_threadpool(self._record, scope, component, status)
            await send(message)

        await self.app(scope, receive, answer)

    def _record(self, scope: Scope, component: str, status: int) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        principal = state.get("principal")
        # The route's whole template when one matched (its ids go in the detail); the path as
        # sent when none did, which is what the caller typed, not anything the desk keeps.
        template = getattr(scope.get("route"), "path", None)
        if template and component == "api" and not template.startswith(PREFIX):
            template = PREFIX + template  # routers included under the prefix keep their own
        where = template or scope["path"]
        client = scope.get("client")
        # The desk the application serves now (``create_app`` put it on the app's state).
        desk: Desk = scope["app"].state.lexdesk.desk
        audit.record_alone(
            desk,
            actor=principal.username if principal else "anonymous",
            agency=principal.agency_id if principal else "",
            action=f"{component}.refused",
            object_type="request",
            object_id=f"{scope['method']} {where}"[:100],
            outcome="denied" if status in DENIED else "failure",
            source=(client[0] if client else "unknown")[:100],
            detail={
                "status": status,
                "method": scope["method"],
                "route": where[:200],
                "ids": {k: str(v)[:100] for k, v in (scope.get("path_params") or {}).items()},
            },
        )

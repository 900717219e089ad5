"""Each HTTP request is one scope of ``services.acting_agency``: once the request knows who
acts, every transaction it opens acts for that user's agency alone, and the next request,
served by the same thread, starts again from nobody."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from lexdesk.services import acting_agency


class AgencyScope:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with acting_agency.scope():
            await self.app(scope, receive, send)

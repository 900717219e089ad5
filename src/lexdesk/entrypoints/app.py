"""The ASGI application: the API under /api/v1 and, where present, the web pages.

``create_app`` is given an application already built by ``lexdesk.bootstrap.build``; nothing
here connects to a database or reads settings at import time.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from lexdesk import __version__
from lexdesk.bootstrap import App
from lexdesk.entrypoints import metrics
from lexdesk.entrypoints.agency_scope import AgencyScope
from lexdesk.entrypoints.api import PREFIX, api_router, api_routes, contract, naming
from lexdesk.entrypoints.api.hygiene import Hygiene
from lexdesk.entrypoints.audited_requests import AuditedRequests
from lexdesk.entrypoints.limiter import RateLimiter

WEB_MODULE = "lexdesk.entrypoints.web"


def create_app(built: App) -> FastAPI:
    app = FastAPI(
        title="lexdesk",
        version=__version__,
        summary="The desk for the legal process between agencies about people in custody.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN, which the CSP forbids
        redoc_url=None,
        generate_unique_id_function=naming.operation_id,
    )
    app.state.lexdesk = built
    app.state.verify_limiter = RateLimiter(built.settings.verify_rate, 60.0)
    app.include_router(api_router())
    contract.install(app)
    app.add_middleware(Hygiene)
    app.add_middleware(AuditedRequests)  # outside Hygiene: it sees its 413s
    app.add_middleware(AgencyScope)  # outermost: a refusal's record acts for the same agency
    app.add_exception_handler(StarletteHTTPException, _allow_every_method(app))
    metrics.mount(app, built)
    _mount_web(app, built)
    return app


def _allow_every_method(app: FastAPI) -> Callable[[Request, Any], Awaitable[Response]]:
    """A 405 names every method of the path, not only those of the first route that matched."""
    table: list[tuple[str, re.Pattern[str], set[str]]] = []

    async def answer(request: Request, error: Any) -> Response:
        path = request.url.path
        if error.status_code == 405 and path.startswith(PREFIX):
            if not table:
                table.extend((p, compile_path(p)[0], m) for p, m, _ in api_routes(app.routes))
            exact = [methods for template, _, methods in table if template == path]
            matched = exact or [methods for _, regex, methods in table if regex.match(path)]
            allowed = set().union(*matched)
            error.headers = {"Allow": ", ".join(sorted(allowed))}
        return await http_exception_handler(request, error)

    return answer


def _mount_web(app: FastAPI, built: App) -> None:
    """The web pages, once their package provides ``mount(app, built)``."""
    if importlib.util.find_spec(WEB_MODULE) is None:
        return
    web = importlib.import_module(WEB_MODULE)
    mount = getattr(web, "mount", None)
    if mount is not None:
        mount(app, built)

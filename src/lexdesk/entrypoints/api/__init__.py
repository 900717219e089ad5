"""The HTTP API under ``/api/v1``: JSON in and out, described by its OpenAPI schema.

Map of the package:

- ``context``      the built application and the client's address, for a route
- ``security``     authentication and the permission check (``requires``), in one dependency
- ``errors``       domain errors to statuses and ``{"detail": ...}`` bodies; 404s audited
- ``hygiene``      security headers and the 1 MiB body ceiling
- ``schemas``      shared request rules (no unknown fields, bounded text) and path parameters
- ``session``      sign in (password, then TOTP code), who am I, sign out
- ``instruments``  list, read, issue, acknowledge, determine, escalate, withdraw; events
- ``cases``        cases one's agency takes part in, with their instruments and events
- ``persons``      the custodial side: book a person, read and look up one's own; disclosures
- ``agencies``     the directory of agencies; an administrator's users
- ``notifications`` one's notifications and preferences; an agency's webhooks, dead letters
- ``audit``        an auditor's view of the agency's audit trail
- ``reports``      the published transparency reports (public)
- ``health``       is the desk fit to serve: red after an audit write failed (public)
- ``verifications`` is this document one the desk issued (public, rate-limited, audited)
- ``attachments``  files on an instrument or its answer: upload, list, download (streamed)
- ``paper``        an instrument served on paper, recorded by its recipient; its issuer confirms
- ``productions``  the records an answer released, Bates-numbered and signed: make, read, download
- ``exchange``     exchange formats: a case's instruments as NIEM-named JSON; the roster as CSV
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from lexdesk.entrypoints.api import (
    agencies,
    attachments,
    audit,
    cases,
    exchange,
    health,
    instruments,
    notifications,
    paper,
    persons,
    productions,
    reports,
    session,
    verifications,
)
from lexdesk.entrypoints.api.security import permission_of

PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    for module in (
        session, agencies, cases, paper, instruments, persons, notifications, audit, health,
        verifications, attachments, productions, reports, exchange,
    ):  # fmt: skip
        document_permissions([r for r in module.router.routes if isinstance(r, APIRoute)])
        router.include_router(module.router)
    return router


def api_routes(routes: Sequence[BaseRoute]) -> list[tuple[str, set[str], APIRoute]]:
    """Every API route of an application as (path, methods, route), however it was included."""
    found = []
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute) and (context.path or "").startswith(PREFIX):
            found.append((context.path or "", set(context.methods or ()), route))
    return found


def declared_permission(route: APIRoute) -> str | None:
    """The permission a route declared through its dependencies (``requires`` or ``public``)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        found = permission_of(dependency.call)
        if found is not None:
            return found
        stack.extend(dependency.dependencies)
    return None


def document_permissions(routes: list[APIRoute]) -> None:
    """Show each route's permission in the OpenAPI schema as ``x-permission``."""
    for route in routes:
        permission = declared_permission(route)
        if permission is not None:
            route.openapi_extra = {**(route.openapi_extra or {}), "x-permission": permission}

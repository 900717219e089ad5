"""An operation's id in the OpenAPI document is its route's name (``issue_instrument``,
``on_instrument_answered``), never FastAPI's path-based default: generated clients and
receivers are named by it, so it must be short and stay put when a path changes."""

from __future__ import annotations

from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    return route.name

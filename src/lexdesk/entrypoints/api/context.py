"""What a route is given: the built application, and where the request came from."""

from __future__ import annotations

from fastapi import Request

from lexdesk.bootstrap import App


def built(request: Request) -> App:
    """The application that ``create_app`` was given."""
    app: App = request.app.state.lexdesk
    return app


def source_of(request: Request) -> str:
    """The client's address, as the audit trail records it (CJIS AU-3(1))."""
    return (request.client.host if request.client else "unknown")[:100]

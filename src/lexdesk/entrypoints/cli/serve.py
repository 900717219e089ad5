"""``lexdesk serve``: the HTTP API (and the web pages) on the configured database, by uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from lexdesk.entrypoints.app import create_app
from lexdesk.entrypoints.cli.common import app, fails_cleanly


@fails_cleanly
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Processes, for a PostgreSQL database.", min=1)] = 1,
) -> None:
    """Serve the API under /api/v1 on the configured database (LEXDESK_DATABASE_URL)."""
    if workers > 1:
        # Each worker builds its own application from the same settings.
        uvicorn.run(
            "lexdesk.entrypoints.cli.serve:asgi",
            host=host,
            port=port,
            workers=workers,
            factory=True,
            proxy_headers=True,
            server_header=False,
        )
        return
    uvicorn.run(create_app(app()), host=host, port=port, proxy_headers=True, server_header=False)


def asgi() -> object:
    """The application factory a uvicorn worker calls."""
    return create_app(app())

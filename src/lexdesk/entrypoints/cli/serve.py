"""``lexdesk serve``: the HTTP API (and the web pages) on the configured database, by uvicorn."""

from __future__ import annotations

import socket
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from lexdesk.entrypoints.app import create_app
from lexdesk.entrypoints.cli.common import app, fails_cleanly


@fails_cleanly
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Processes, for a PostgreSQL database.", min=1)] = 1,
) -> None:
    """Serve the web application and the API under /api/v1 on the configured database."""
    typer.echo(
        f"lexdesk: the desk at http://{host}:{port}/ , the API at http://{host}:{port}/api/v1"
    )
    if workers > 1:
        # Each worker builds its own application from the same settings.
        run_workers(
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


def run_workers(target: str, **options: Any) -> None:
    """``uvicorn.run(target, workers=N, ...)``, but with Nagle's algorithm off on every
    connection, as a single uvicorn process has it.

    uvicorn's supervisor binds the listening socket itself, without naming the protocol
    (``proto`` 0); the accepted connections inherit that, and asyncio sets ``TCP_NODELAY`` only
    on sockets that say ``IPPROTO_TCP``. Every keep-alive response after the first then waits
    for the client's delayed ACK: about 40 ms on Linux (uvicorn issue #3149). The socket is
    wrapped again, the same descriptor with the protocol named, before the workers get it."""
    config = uvicorn.Config(target, **options)
    listener = config.bind_socket()
    if listener.family in (socket.AF_INET, socket.AF_INET6) and listener.proto == 0:
        family, kind = listener.family, listener.type
        listener = socket.socket(family, kind, socket.IPPROTO_TCP, fileno=listener.detach())
        listener.set_inheritable(True)
    try:
        Multiprocess(config, sockets=[listener]).run()
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()

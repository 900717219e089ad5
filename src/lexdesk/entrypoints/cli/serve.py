"""``lexdesk serve``: the HTTP API (and the web pages) on the configured database, by uvicorn."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

from lexdesk.adapters.worker_lock import WorkerAlreadyRunning, run_loop
from lexdesk.bootstrap import App, build_worker
from lexdesk.config import DEVELOPMENT_PASSPHRASE
from lexdesk.entrypoints import production
from lexdesk.entrypoints.app import create_app
from lexdesk.entrypoints.cli.common import app, fail, fails_cleanly
from lexdesk.entrypoints.log_hygiene import uvicorn_logging

#: Addresses only this machine reaches: a desk there is a developer's, not a deployment.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@fails_cleanly
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Processes, for a PostgreSQL database.", min=1)] = 1,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--with-worker/--without-worker",
            help="Run the worker (sweeps, reminders, deliveries) in this process too; the "
            "default on the embedded SQLite database, not on PostgreSQL (run `lexdesk worker`).",
        ),
    ] = None,
) -> None:
    """Serve the web application and the API under /api/v1 on the configured database."""
    built = app()
    unsafe = production.problems(built)
    if unsafe:
        fail("LEXDESK_ENV=production refuses to serve: " + "; ".join(unsafe))
    if host not in LOOPBACK and built.settings.key_passphrase == DEVELOPMENT_PASSPHRASE:
        fail(
            f"the desk would listen on {host} with the development key passphrase: set "
            "LEXDESK_KEY_PASSPHRASE to a secret of your own (it encrypts the signing keys)"
        )
    typer.echo(
        f"lexdesk: the desk at http://{host}:{port}/ , the API at http://{host}:{port}/api/v1"
    )
    if with_worker is None:
        with_worker = built.engine.dialect.name == "sqlite"
    with clock_running(built) if with_worker else nullcontext():
        _serve(built, host, port, workers)


@contextmanager
def clock_running(built: App) -> Iterator[None]:
    """The worker in a thread beside the server, stopped when the server stops."""
    stop = threading.Event()
    the_worker = build_worker(built)

    def run() -> None:
        try:
            run_loop(built.engine, the_worker, interval=built.settings.sweep_interval, stop=stop)
        except WorkerAlreadyRunning as error:
            typer.echo(f"lexdesk: {error}; serving without a worker", err=True)

    thread = threading.Thread(target=run, name="lexdesk-worker", daemon=True)
    thread.start()
    typer.echo(
        f"lexdesk: the worker {the_worker.name} sweeps every {built.settings.sweep_interval:g} s"
    )
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def _serve(built: App, host: str, port: int, workers: int) -> None:
    if workers > 1:
        # Each worker builds its own application from the same settings.
        run_workers(
            "lexdesk.entrypoints.cli.serve:asgi",
            host=host,
            port=port,
            workers=workers,
            factory=True,
            proxy_headers=True,
            forwarded_allow_ips=built.settings.trusted_proxies,
            server_header=False,
            log_config=uvicorn_logging(),
        )
        return
    uvicorn.run(
        create_app(built),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=built.settings.trusted_proxies,
        server_header=False,
        log_config=uvicorn_logging(),
    )


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

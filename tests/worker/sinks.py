"""Real receivers for the couriers: an SMTP server (aiosmtpd), an HTTP webhook endpoint, and a
server that accepts connections and never answers. Each records what reached it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message as Email
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class SmtpSink:
    """Accepts mail, or answers ``refuse`` (e.g. "550 5.1.1 no such mailbox") to RCPT."""

    refuse: str = ""
    received: list[Email] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.received.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server(sink: SmtpSink) -> Iterator[str]:
    """The sink on a free loopback port; its URL for LEXDESK_SMTP_URL."""
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@dataclass
class Delivery:
    webhook_id: str
    headers: dict[str, str]
    body: str
    started: float
    ended: float


@dataclass
class WebhookSink:
    """Answers ``status`` after ``delay`` seconds; records every request it finished reading."""

    status: int = 200
    delay: float = 0.0
    received: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [d.webhook_id for d in self.received]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A worker killed mid-request resets its connection: expected here, not news."""


@contextmanager
def webhook_server(sink: WebhookSink) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do

        def do_POST(self) -> None:
            started = time.monotonic()
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            if len(raw) < length:
                # The sender died mid-body: a truncated request is no delivery (a real
                # receiver would fail its signature check), so it is not recorded.
                self.close_connection = True
                return
            body = raw.decode()
            if sink.delay:
                time.sleep(sink.delay)
            ended = time.monotonic()
            with sink.lock:
                sink.received.append(
                    Delivery(
                        self.headers.get("webhook-id", ""),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        started,
                        ended,
                    )
                )
            self.send_response(sink.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word: a hung SMTP server or web endpoint."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                held.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port

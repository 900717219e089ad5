"""The couriers: e-mail over SMTP and webhooks signed per the Standard Webhooks specification.

Each delivers one message or raises ``DeliveryFailed``: permanent for what trying again cannot
mend (a mailbox that does not exist, a 4xx from the receiver other than 408 and 429), temporary
for the rest (refused, timed out, unreachable, 5xx). Neither carries a record: an e-mail holds
the subject and a link into the desk; a webhook the ids and statuses its agency may see."""

from __future__ import annotations

import hashlib
import json
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from lexdesk.domain.notifications import DeliveryFailed, Message

#: Standard Webhooks receivers check that a timestamp is within five minutes of their clock:
#: webhooks are signed with the wall clock, whatever clock the desk runs on.
WallClock = Callable[[], datetime]
#: Headers on one line up to RFC 5322's limit: an idempotency key is compared as it is.
UNFOLDED = policy.SMTP.clone(max_line_length=998)


def _wall() -> datetime:
    return datetime.now(UTC)


def message_id(key: str) -> str:
    """A message's id for its receiver (``webhook-id``, ``Message-ID``), from its idempotency
    key: the same on every attempt, so that a receiver can drop what it has seen."""
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: str  # "none", "starttls" or "ssl"
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """``smtp://[user:pass@]host[:port]`` (add ``?starttls=1`` to upgrade) or
        ``smtps://...`` (TLS from the start)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                f"LEXDESK_SMTP_URL must look like smtp://host:25 or smtps://host:465 (got {url!r})"
            )
        tls = "ssl" if parts.scheme == "smtps" else "none"
        if "starttls=1" in parts.query or "starttls=true" in parts.query:
            tls = "starttls"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls == "ssl" else 25),
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


class EmailCourier:
    def __init__(
        self, server: SmtpServer, *, sender: str, base_url: str, timeout: float = 10.0
    ) -> None:
        self.server = server
        self.sender = sender
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def compose(self, message: Message) -> EmailMessage:
        event = message.event
        mail = EmailMessage(policy=UNFOLDED)
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = f"[lexdesk] {event.subject}"
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = f"<{message_id(message.key)}@lexdesk>"
        mail["X-Lexdesk-Idempotency-Key"] = message.key
        mail.set_content(
            f"{event.subject}\n\n"
            f"Open it in the desk: {self.base_url}{event.link}\n\n"
            "This message carries no record: sign in to see what your agency may see.\n"
            f"Choose what you are told, and how: {self.base_url}/notifications/preferences\n"
        )
        return mail

    def deliver(self, message: Message) -> str:
        mail = self.compose(message)
        try:
            with self._connect() as smtp:
                if self.server.username:
                    smtp.login(self.server.username, self.server.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryFailed(
                f"SMTP refused the recipient ({', '.join(map(str, codes))})",
                permanent=all(500 <= code < 600 for code in codes),
            ) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(
                f"SMTP answered {error.smtp_code}", permanent=500 <= error.smtp_code < 600
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            # Refused, unreachable, timed out, or hung up: try again later.
            raise DeliveryFailed(f"SMTP: {type(error).__name__}: {error}"[:300]) from error
        if refused:
            raise DeliveryFailed(f"SMTP refused {len(refused)} recipient(s)", permanent=True)
        return f"sent to {self.server.host}:{self.server.port}"

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.tls == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        if server.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


class WebhookCourier:
    """POSTs the event as JSON with the ``webhook-id``, ``webhook-timestamp`` and
    ``webhook-signature`` headers; during a secret's rotation it signs with both secrets
    (the specification lets a receiver accept any of several signatures)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        wall_clock: WallClock = _wall,
    ) -> None:
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self.wall_clock = wall_clock

    def payload(self, message: Message) -> str:
        event = message.event
        body = {
            "type": f"instrument.{event.topic.value}",
            "timestamp": event.at.isoformat(),
            "data": {
                "subject": event.subject,
                "link": event.link,
                "idempotency_key": message.key,
                **event.data,
            },
        }
        return json.dumps(body, separators=(",", ":"), sort_keys=True)

    def headers(self, message: Message, payload: str) -> dict[str, str]:
        if not message.secrets:
            raise DeliveryFailed("the subscription has no secret", permanent=True)
        msg_id, now = message_id(message.key), self.wall_clock()
        signatures = " ".join(
            Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=payload)
            for secret in message.secrets
        )
        return {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures,
            "user-agent": "lexdesk-webhooks/1",
        }

    def deliver(self, message: Message) -> str:
        payload = self.payload(message)
        headers = self.headers(message, payload)
        started = time.perf_counter()
        try:
            response = self.client.post(message.address, content=payload, headers=headers)
        except httpx.TimeoutException as error:
            raise DeliveryFailed(f"timed out ({type(error).__name__})") from error
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"unreachable ({type(error).__name__})") from error
        took = round((time.perf_counter() - started) * 1000)
        code = response.status_code
        if 200 <= code < 300:
            return f"HTTP {code} in {took} ms"
        retry = code in (408, 429) or code >= 500
        raise DeliveryFailed(f"HTTP {code} in {took} ms", permanent=not retry)

"""The composition root: the one place that picks implementations and wires them together."""

from __future__ import annotations

import base64
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from lexdesk.adapters.alarm import LoggingAlarm
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.couriers import EmailCourier, SmtpServer, WebhookCourier
from lexdesk.adapters.database import Pool, create_database_engine
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.sealing import Sealer, key_from_passphrase
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.config import Settings
from lexdesk.domain.credentials import keyed_digest
from lexdesk.domain.notifications import Channel, RetryPolicy
from lexdesk.queries.transparency import RecordReports
from lexdesk.services.context import Desk
from lexdesk.services.ports import Clock, Courier, RuleBook
from lexdesk.services.worker import Schedule, Worker


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine
    desk: Desk
    #: Opens what is kept sealed at rest, for the read side (``queries``).
    sealer: Sealer


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    rules: RuleBook | None = None,
    operator: str = "",
) -> App:
    """The application. ``operator`` names who is at the controls of a command line, acting
    on behalf of the users its commands name (``services.context.Desk.operator``)."""
    settings = settings or Settings()
    pool = Pool(settings.db_pool_size, settings.db_pool_overflow, settings.db_pool_timeout)
    engine = create_database_engine(
        settings.resolved_database_url, echo=settings.echo_sql, pool=pool
    )
    sealer = data_sealer(settings)
    chosen_clock = clock or SystemClock()
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, chosen_clock, sealer),
        clock=chosen_clock,
        rules=rules or PackRuleBook(),
        alarm=LoggingAlarm(),
        operator=operator,
        press=PdfPress(settings.key_passphrase, settings.base_url),
        blobs=blob_store(settings),
        reports=RecordReports(engine),
        name_key=keyed_digest(settings.key_passphrase.encode(), "typed names").encode(),
    )
    return App(settings=settings, engine=engine, desk=desk, sealer=sealer)


def build_worker(app: App, name: str | None = None) -> Worker:
    """The worker, with the couriers the settings configure (no SMTP URL, no e-mail)."""
    settings = app.settings
    couriers: dict[Channel, Courier] = {
        Channel.WEBHOOK: WebhookCourier(timeout=settings.delivery_timeout)
    }
    if settings.smtp_url:
        couriers[Channel.EMAIL] = EmailCourier(
            SmtpServer.from_url(settings.smtp_url),
            sender=settings.mail_from,
            base_url=settings.base_url,
            timeout=settings.delivery_timeout,
        )
    schedule = Schedule(
        reminders=tuple(timedelta(hours=h) for h in settings.reminder_hours),
        release_near=timedelta(hours=settings.release_reminder),
        retry=RetryPolicy(max_attempts=settings.max_attempts),
    )
    who = name or f"{socket.gethostname()}:{os.getpid()}"
    return Worker(app.desk, couriers, name=who[:100], schedule=schedule)


def blob_store(settings: Settings) -> LocalBlobStore:
    """The files (attachments, signed documents), sealed at rest with the data key ring."""
    return LocalBlobStore(settings.blob_dir, data_sealer(settings))


def data_sealer(settings: Settings) -> Sealer:
    """The ring that seals secrets at rest: ``LEXDESK_DATA_KEY`` (or a key derived from the key
    passphrase) seals, it and ``LEXDESK_DATA_KEYS_PREVIOUS`` open."""
    current = (
        _data_key(settings.data_key)
        if settings.data_key
        else key_from_passphrase(settings.key_passphrase)
    )
    previous = [
        _data_key(text.strip()) for text in settings.data_keys_previous.split(",") if text.strip()
    ]
    return Sealer.of(current, *previous, key_from_passphrase(settings.key_passphrase))


def _data_key(text: str) -> bytes:
    """A key the settings checked: 32 bytes in base64."""
    return base64.b64decode(text, validate=True)

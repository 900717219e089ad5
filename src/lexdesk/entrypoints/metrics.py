"""``GET /metrics``: the desk's clock, its outbox and its audit queue in the Prometheus text
format.

Every figure is read from the database at scrape time (a custom collector), not from this
process's memory: the workers that deliver are other processes, and any server process scraped
must answer the same. Protected by a bearer token when ``LEXDESK_METRICS_TOKEN`` is set; open
only to loopback clients otherwise."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from lexdesk.bootstrap import App
from lexdesk.domain.notifications import Channel, MessageStatus
from lexdesk.queries import health, outbox


class OutboxCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with self.engine.connect() as db:
            depth = outbox.depth(db)
            waiting = outbox.unexpanded(db)
            tried = outbox.attempts(db)
            beats = outbox.heartbeats(db)
            unchained, _ = health.waiting_entries(db)
        queue = GaugeMetricFamily(
            "lexdesk_outbox_messages",
            "Messages in the outbox by channel and status (pending is the queue depth).",
            labels=["channel", "status"],
        )
        for channel in (Channel.EMAIL, Channel.WEBHOOK):
            for status in MessageStatus:
                queue.add_metric([channel.value, status.value], depth.get((channel, status), 0))
        yield queue
        yield GaugeMetricFamily(
            "lexdesk_outbox_events_unexpanded",
            "Events written with their change and not yet made into messages.",
            value=waiting,
        )
        yield GaugeMetricFamily(
            "lexdesk_audit_entries_waiting",
            "Audit entries committed and not yet chained (ADR 0029): near zero when all is well.",
            value=unchained,
        )
        delivered = CounterMetricFamily(
            "lexdesk_deliveries", "Successful delivery attempts by channel.", labels=["channel"]
        )
        failed = CounterMetricFamily(
            "lexdesk_delivery_failures", "Failed delivery attempts by channel.", labels=["channel"]
        )
        for channel in (Channel.EMAIL, Channel.WEBHOOK):
            delivered.add_metric([channel.value], tried.get((channel.value, True), 0))
            failed.add_metric([channel.value], tried.get((channel.value, False), 0))
        yield delivered
        yield failed
        yield from _workers(beats)


def _workers(beats: list[outbox.Heartbeat]) -> Iterator[Metric]:
    duration = GaugeMetricFamily(
        "lexdesk_sweep_duration_seconds",
        "How long the worker's last sweep took.",
        labels=["worker"],
    )
    last = GaugeMetricFamily(
        "lexdesk_worker_last_sweep_timestamp_seconds",
        "When the worker last swept (Unix time).",
        labels=["worker"],
    )
    heartbeat = GaugeMetricFamily(
        "lexdesk_worker_heartbeat_timestamp_seconds",
        "When the worker last reported (Unix time).",
        labels=["worker"],
    )
    sweeps = CounterMetricFamily("lexdesk_sweeps", "Sweeps run.", labels=["worker"])
    lapses = CounterMetricFamily("lexdesk_lapses", "Instruments lapsed.", labels=["worker"])
    reminders = CounterMetricFamily("lexdesk_reminders", "Reminders written.", labels=["worker"])
    for beat in beats:
        label = [beat.worker]
        duration.add_metric(label, beat.sweep_seconds)
        heartbeat.add_metric(label, beat.beat_at.timestamp())
        if beat.swept_at is not None:
            last.add_metric(label, beat.swept_at.timestamp())
        sweeps.add_metric(label, beat.sweeps)
        lapses.add_metric(label, beat.lapses)
        reminders.add_metric(label, beat.reminders)
    yield from (duration, last, heartbeat, sweeps, lapses, reminders)


def mount(app: FastAPI, built: App) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector(built.engine))
    token = built.settings.metrics_token

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if not _allowed(request, token):
            detail = (
                "send the metrics token as a bearer token"
                if token
                else "metrics answer on loopback only: set LEXDESK_METRICS_TOKEN to scrape remotely"
            )
            return Response(
                detail + "\n", status_code=401 if token else 403, media_type="text/plain"
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _allowed(request: Request, token: str | None) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("testclient", "localhost")

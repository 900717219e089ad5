"""The desk's clock under load, on PostgreSQL:

1. A sweep over 1,000,000 open instruments of which 10,000 are overdue: the time of the sweep
   that lapses them (and per lapse), then of a sweep that finds nothing to do (the steady state:
   every minute, over the same million).
2. Deliveries per second per worker, for each channel, against local sinks (an SMTP server and
   a webhook endpoint, each in its own process), and for webhooks with 1, 2 and 4 workers.

    python -m benchmarks.bench_worker
    LEXDESK_BENCH_OPEN=100000 LEXDESK_BENCH_DUE=1000 python -m benchmarks.bench_worker

The instruments are copies, made in SQL, of one real case built through the services: the same
rows the desk writes (case, parties, instrument, events, person), a million times over."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, text
from tests.lawful.harness import book, build_lawful, issue

from lexdesk.adapters.couriers import EmailCourier, SmtpServer, WebhookCourier
from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.domain.notifications import Channel
from lexdesk.services.ports import Courier
from lexdesk.services.worker import Worker

OPEN = int(os.environ.get("LEXDESK_BENCH_OPEN", "1000000"))
DUE = int(os.environ.get("LEXDESK_BENCH_DUE", "10000"))
MESSAGES = int(os.environ.get("LEXDESK_BENCH_MESSAGES", "4000"))
POSTGRES = os.environ.get(
    "LEXDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FORK = multiprocessing.get_context("fork")


def fresh_database(name: str) -> str:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


PLAIN_RECORD = (
    '{"date_of_birth": null, "place_of_birth": "", "citizenship": "", "facts": {}, '
    '"record": {}, "public_information": [], "convictions": []}'
)

COPY = """
INSERT INTO persons (id, owner_agency_id, created_at, name, sealed)
SELECT 'bp-' || g, owner_agency_id, created_at, :name, :record
FROM persons, generate_series(1, :n) g WHERE id = :person;
INSERT INTO cases (id, requesting_agency_id, custodial_agency_id, person_id, opened_at, status,
                   version, subject)
SELECT 'bc-' || g, requesting_agency_id, custodial_agency_id, 'bp-' || g, opened_at, status,
       version, ''
FROM cases, generate_series(1, :n) g WHERE id = :case;
INSERT INTO case_parties (case_id, agency_id, status, opened_at)
SELECT 'bc-' || g, agency_id, status, opened_at
FROM case_parties, generate_series(1, :n) g WHERE case_id = :case;
INSERT INTO instruments (id, case_id, position, kind, actions, warrant, issuer_agency_id,
                         addressee_agency_id, parent_id, status, created_at, issued_at, due_at,
                         due, reference, version, produce_to, issuer_status, issuer_due_at)
SELECT 'bi-' || g, 'bc-' || g, position, kind, actions, warrant, issuer_agency_id,
       addressee_agency_id, NULL, status, created_at, issued_at, d.at,
       jsonb_set(due::jsonb, '{due_at}',
                 to_jsonb(to_char(d.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00')
       )::json,
       reference, version, produce_to, issuer_status,
       CASE WHEN issuer_due_at IS NULL THEN NULL ELSE d.at END
FROM instruments, generate_series(1, :n) g,
     LATERAL (SELECT CASE WHEN g <= :due THEN due_at - interval '1 day'
                          ELSE due_at + interval '365 days' END AS at) d
WHERE id = :instrument;
INSERT INTO instrument_events (instrument_id, case_id, transition, from_status, to_status,
                               actor, at, reason, changes)
SELECT 'bi-' || g, 'bc-' || g, transition, from_status, to_status, actor, at, reason, changes
FROM instrument_events, generate_series(1, :n) g WHERE instrument_id = :instrument;
"""


def build_million(url: str) -> tuple[Any, Any, float]:
    world = build_lawful(url)
    book(world)
    template = issue(world, "information_request", ("disclose:home_address",))
    started = time.perf_counter()
    with world.built.engine.begin() as db:
        for statement in COPY.split(";\n"):
            if statement.strip():
                db.execute(
                    text(statement),
                    {
                        "n": OPEN,
                        "due": DUE,
                        "person": template_person(db, template.case_id),
                        "case": template.case_id,
                        "instrument": template.id,
                        # A sealed value opens only in its own row: the copies are written
                        # unsealed (a value not sealed opens as it is), synthetic as they are.
                        "name": '["Benchcopy", "Sam"]',
                        "record": PLAIN_RECORD,
                    },
                )
        db.execute(text("ANALYZE"))
    return world, template, time.perf_counter() - started


def template_person(db: Any, case_id: str) -> str:
    query = text("SELECT person_id FROM cases WHERE id = :c")
    return str(db.execute(query, {"c": case_id}).scalar())


def bench_sweep() -> None:
    url = fresh_database("lexdesk_bench_worker")
    world, template, seconds = build_million(url)
    print(f"  made {OPEN:,} open instruments ({DUE:,} overdue) in {seconds:.1f} s")
    # The overdue copies were due a day before the template, the rest a year after it.
    world.clock.moment = template.due_at - timedelta(hours=12)
    worker = Worker(world.desk, {}, name="bench")
    report = worker.sweep()
    per = report.seconds / max(1, report.lapsed)
    print(
        f"  sweep that lapses: {report.lapsed:,} lapsed in {report.seconds:.1f} s "
        f"({per * 1000:.2f} ms per lapse)"
    )
    quiet = [worker.sweep() for _ in range(3)]
    best = min(q.seconds for q in quiet)
    print(f"  steady sweep over {OPEN:,} open, nothing due: {best * 1000:.1f} ms (best of 3)")
    world.built.engine.dispose()


# -- deliveries --------------------------------------------------------------------------------


def _sink_process(kind: str, ready: Any, port_out: Any) -> None:
    if kind == "webhook":
        from tests.worker.sinks import WebhookSink, webhook_server

        with webhook_server(WebhookSink()) as hook:
            port_out.value = int(hook.rsplit(":", 1)[1].split("/")[0])
            ready.set()
            time.sleep(3600)
    else:
        from tests.worker.sinks import SmtpSink, smtp_server

        sink = SmtpSink()
        with smtp_server(sink) as url:
            port_out.value = int(url.rsplit(":", 1)[1])
            ready.set()
            time.sleep(3600)


def start_sink(kind: str) -> tuple[Any, int]:
    ready, port = FORK.Event(), FORK.Value("i", 0)
    process = FORK.Process(target=_sink_process, args=(kind, ready, port), daemon=True)
    process.start()
    ready.wait(30)
    return process, int(port.value)


def prepare_messages(url: str, channel: str, address: str, count: int) -> None:
    """``count`` pending messages on ``channel`` (events already expanded)."""
    from tests.reliability.crashing_worker import prepare

    built = prepare(url, address if channel == "webhook" else "http://127.0.0.1:9/unused", count)
    Worker(built.desk, {}, name="expander").deliver(max_rounds=0)  # expands, delivers none
    if channel == "email":
        with built.engine.begin() as db:
            db.execute(
                text(
                    "UPDATE outbox_messages SET channel = 'email', address = 'officer@doc.example'"
                )
            )
    built.engine.dispose()


def _deliver(url: str, channel: str, smtp: str) -> None:
    built = build(Settings(database_url=url))
    couriers: dict[Channel, Courier] = {Channel.WEBHOOK: WebhookCourier()}
    if smtp:
        couriers[Channel.EMAIL] = EmailCourier(
            SmtpServer.from_url(smtp), sender="desk@example.org", base_url="https://desk"
        )
    worker = Worker(built.desk, couriers, name=f"bench-{os.getpid()}")
    while worker.deliver().delivered:
        pass


def bench_delivery(channel: str, workers: int, port: int) -> float:
    url = fresh_database(f"lexdesk_bench_deliver_{channel}_{workers}")
    address = f"http://127.0.0.1:{port}/hook"
    prepare_messages(url, channel, address, MESSAGES)
    smtp = f"smtp://127.0.0.1:{port}" if channel == "email" else ""
    started = time.perf_counter()
    children = [FORK.Process(target=_deliver, args=(url, channel, smtp)) for _ in range(workers)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    seconds = time.perf_counter() - started
    rate = MESSAGES / seconds
    print(
        f"  {channel:<7} {workers} worker(s): {MESSAGES:,} in {seconds:.1f} s = {rate:,.0f}/s "
        f"({rate / workers:,.0f}/s per worker)"
    )
    return rate


def run() -> None:
    print(f"== worker (PostgreSQL; load average {os.getloadavg()[0]:.1f})")
    bench_sweep()
    webhook, webhook_port = start_sink("webhook")
    smtp, smtp_port = start_sink("smtp")
    try:
        bench_delivery("email", 1, smtp_port)
        for workers in (1, 2, 4):
            bench_delivery("webhook", workers, webhook_port)
    finally:
        webhook.kill()
        smtp.kill()


if __name__ == "__main__":
    run()

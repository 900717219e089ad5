"""Issuing from many clients at once, on PostgreSQL (issue 14, item 5: 500 instruments a
second through the services from 8 clients), against a baseline version of lexdesk measured
the same way in the same run, with the statements one issue sends counted.

    python -m benchmarks.bench_issue_load
    LEXDESK_BENCH_BASELINE=<git ref> LEXDESK_BENCH_CLIENTS=8 LEXDESK_BENCH_SECONDS=10 \\
        python -m benchmarks.bench_issue_load

An immigration field office and 20 jails under New York City DOC's pack; each client is an
officer of the field office (a process of its own: ``benchmarks.many_clients``) who books its
own people in the jails first, then issues requests about them in turn (detainers,
notification, information and transfer requests, as ``issue_instrument`` does for the API and
the web: the person looked up across agencies, the case opened or joined, the addressee's due
date, the issuer's view of the case, the outbox, the audit entry, chained after the commit).
Every client issues about people of its own, so the figure is the desk's and the database's,
not one case's optimistic lock. After the run the chain must verify and every issue must be
in the record.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.many_clients import baseline_and_now, desk, load

BASELINE = os.environ.get("LEXDESK_BENCH_BASELINE", "8f4d9e1")
CLIENTS = int(os.environ.get("LEXDESK_BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("LEXDESK_BENCH_SECONDS", "10"))
JAILS = 20
#: People each client books before the clock runs, and issues about in turn.
PEOPLE = 100
KINDS = ("detainer", "notification_request", "information_request", "transfer_request")
ACTIONS = ("notify_release", "disclose:release_date")
GOAL = 500


def _book(the_desk: Any, jail: int, number: int, n: int) -> str:
    from lexdesk.services import persons

    now = datetime.now(UTC)
    person = persons.book_person(
        the_desk,
        persons.BookPerson(
            actor=f"jail-{jail:02d}-officer",
            family_name=f"Loadperson{number}x{n}",
            given_name="Sam",
            arrested_on=now.date(),
            booked_at=now,
            expected_release_at=now + timedelta(days=1 + n % 60),
            identifiers={"booking_number": f"L{number:03d}{n:06d}"},
        ),
    )
    return str(person.id)


def issuing(url: str, number: int) -> Callable[[], None]:
    """A client: books its people, then issues one request about the next of them per act."""
    from lexdesk.services import instruments

    the_desk = desk(url)
    jails = [(number * PEOPLE + n) % JAILS for n in range(PEOPLE)]
    people = [(jail, _book(the_desk, jail, number, n)) for n, jail in enumerate(jails)]
    turn = 0

    def issue() -> None:
        nonlocal turn
        jail, person = people[turn % PEOPLE]
        kind = KINDS[(turn // PEOPLE) % len(KINDS)]
        turn += 1
        command = instruments.IssueInstrument(
            "ice-officer", kind, f"jail-{jail:02d}", person, ACTIONS, "administrative"
        )
        instruments.issue_instrument(the_desk, command)

    return issue


def _prepare(url: str) -> None:
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.migrations import upgrade
    from lexdesk.services import agencies

    upgrade(create_database_engine(url))
    the_desk = desk(url)
    agencies.register_agency(the_desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))
    agencies.add_user(the_desk, agencies.AddUser("ice-officer", "ice", "Officer", ("officer",)))
    for n in range(JAILS):
        code = f"jail-{n:02d}"
        agencies.register_agency(
            the_desk,
            agencies.RegisterAgency(code, f"Jail {n}", "custodial", "US-NY", "us-ny-nyc-doc"),
        )
        agencies.add_user(
            the_desk, agencies.AddUser(f"{code}-officer", code, "Officer", ("officer",))
        )


def _statements(url: str) -> dict[str, int]:
    """The statements one issue sends, into a new case and into an open one (its commit and
    the sequencer's chaining after it included; the transaction's BEGIN is implicit)."""
    from sqlalchemy import event

    from lexdesk.adapters.clock import SystemClock
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.adapters.rulebook import PackRuleBook
    from lexdesk.adapters.unit_of_work import SqlUnitOfWork
    from lexdesk.services import instruments
    from lexdesk.services.context import Desk

    engine = create_database_engine(url)
    clock = SystemClock()
    the_desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())
    person = _book(the_desk, 0, 999, 0)
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    counted: dict[str, int] = {}
    for label, kind in (("new_case", "detainer"), ("open_case", "notification_request")):
        sent.clear()
        command = instruments.IssueInstrument(
            "ice-officer", kind, "jail-00", person, ACTIONS, "administrative"
        )
        instruments.issue_instrument(the_desk, command)
        counted[label] = len(sent)
    engine.dispose()
    return counted


def _check(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from lexdesk.adapters import orm
    from lexdesk.adapters.database import create_database_engine
    from lexdesk.services import audit

    result = audit.verify(desk(url))  # chains what waits first
    assert result.ok, result.reason
    with create_database_engine(url).connect() as db:
        issued = db.scalar(select(func.count()).select_from(orm.instruments)) or 0
    return {"entries": result.checked, "instruments": issued}


def child(url: str) -> None:
    """Prepare the database, count one issue's statements, load it from the clients, check
    the record; print JSON."""
    _prepare(url)
    statements = _statements(url)
    figures = load(issuing, url, CLIENTS, SECONDS)
    print(json.dumps({"issues": figures, "statements": statements, "check": _check(url)}))


def run() -> dict[str, dict[str, Any]]:
    load_before = os.getloadavg()[0]
    results = baseline_and_now("benchmarks.bench_issue_load", "lexdesk_bench_issue", BASELINE)
    load_after = os.getloadavg()[0]
    print(
        f"issuing, PostgreSQL, {CLIENTS} client processes, {SECONDS:.0f} s"
        f" (load {load_before:.1f} -> {load_after:.1f}); baseline {BASELINE}:"
    )
    print(f"  command: LEXDESK_BENCH_BASELINE={BASELINE} python -m benchmarks.bench_issue_load")
    before, after = results["baseline"]["issues"], results["now"]["issues"]
    print(
        f"  issued: baseline {before['per_s']:,.0f}/s"
        f" (p50 {before['p50_ms']:.1f} ms, p99 {before['p99_ms']:.1f} ms),"
        f" now {after['per_s']:,.0f}/s (p50 {after['p50_ms']:.1f} ms,"
        f" p99 {after['p99_ms']:.1f} ms): {after['per_s'] / before['per_s']:.2f}x; goal"
        f" {GOAL:,}/s; the desk's own CPU an issue, in the clients:"
        f" {before['client_cpu_ms']:.2f} -> {after['client_cpu_ms']:.2f} ms"
    )
    was, now = results["baseline"]["statements"], results["now"]["statements"]
    print(
        f"  statements an issue: into a new case {was['new_case']} -> {now['new_case']},"
        f" into an open case {was['open_case']} -> {now['open_case']}"
    )
    for version, figures in results.items():
        check = figures["check"]
        print(
            f"  {version}: chain verified, {check['entries']:,} entries,"
            f" {check['instruments']:,} instruments"
        )
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        run()

"""Reports published on a schedule (issue 12, item 5), on SQLite and PostgreSQL: the worker's
sweep publishes the last closed period once, as the administrator who scheduled it, on record
as scheduled; an administrator who can no longer publish leaves the period unpublished and the
schedule saying why, without stopping another agency's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.published import PublishedReport
from lexdesk.queries.published_reports import published_reports
from lexdesk.queries.transparency import RecordReports, report_schedules
from lexdesk.services import agencies, transparency
from lexdesk.services.context import Desk
from lexdesk.services.worker import Worker
from tests.fakes import FakeClock
from tests.report_ladder import build_ladder

#: 2021-01-10: a schedule of 30 days publishes 2020 from 31 January.
MADE = datetime(2021, 1, 10, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MADE)


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    with engine.begin() as db:
        build_ladder(db)
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=PackRuleBook(),
        reports=RecordReports(engine),
    )
    # A second jail, to show that one schedule's failure stops no other.
    agencies.register_agency(
        desk, agencies.RegisterAgency("jail", "County Jail", "custodial", "US-NY", "us-ny")
    )
    admins = (("doc-admin", "doc"), ("jail-admin", "jail"))
    for username, agency in (*admins, ("ice-admin", "ice")):
        agencies.add_user(desk, agencies.AddUser(username, agency, "Admin", ("admin",)))
    return desk


def _schedule(desk: Desk, actor: str, report: str, days: int | None) -> None:
    transparency.schedule_report(desk, transparency.ScheduleReport(actor, report, days))


def _published(engine: Engine) -> list[PublishedReport]:
    with engine.connect() as db:
        return published_reports(db)


def _audit(engine: Engine, action: str) -> list[tuple[str, str, str, dict[str, object]]]:
    a = orm.audit_log
    query = select(a.c.actor, a.c.outcome, a.c.source, a.c.detail).where(a.c.action == action)
    with engine.connect() as db:
        return [tuple(row) for row in db.execute(query.order_by(a.c.seq))]  # type: ignore[misc]


def test_the_sweep_publishes_the_closed_period_once_as_the_scheduler(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    _schedule(desk, "doc-admin", "general", 30)
    worker = Worker(desk, {}, name="test-worker")
    assert worker.sweep().published == 0  # 10 January: 2020's day has not come
    assert _published(engine) == []
    clock.moment = datetime(2021, 2, 1, 15, tzinfo=UTC)
    assert worker.sweep().published == 1
    assert worker.sweep().published == 0  # once: the period has an edition now
    [report] = _published(engine)
    assert (report.report_id, report.agency_id, report.period) == ("general", "doc", "2020")
    assert report.published_by == "doc-admin" and report.edition == 1
    [(actor, outcome, source, detail)] = _audit(engine, "report.publish")
    assert (actor, outcome, source) == ("doc-admin", "success", "worker")
    assert detail["scheduled"] is True and detail["period"] == "2020"
    [scheduled] = _audit(engine, "report.schedule")
    assert scheduled[0] == "doc-admin" and scheduled[3]["delay_days"] == 30
    [kept] = report_schedules(engine, "doc")
    assert kept.last_tried_at == clock.now() and kept.last_error is None


def test_a_scheduler_who_cannot_publish_any_more_leaves_a_reason_and_stops_no_one_else(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    _schedule(desk, "doc-admin", "general", 30)
    _schedule(desk, "jail-admin", "general", 30)
    with engine.begin() as db:  # its administrator disabled since (by a colleague)
        db.execute(
            update(orm.users).where(orm.users.c.username == "jail-admin").values(active=False)
        )
    clock.moment = datetime(2021, 2, 1, 15, tzinfo=UTC)
    assert Worker(desk, {}, name="test-worker").sweep().published == 1
    assert [r.agency_id for r in _published(engine)] == ["doc"]
    jail = next(s for s in report_schedules(engine) if s.agency_id == "jail")
    assert jail.last_error is not None and "jail-admin is disabled" in jail.last_error
    denied = [row for row in _audit(engine, "report.publish") if row[1] != "success"]
    assert [row[0] for row in denied] == ["jail-admin"]


def test_a_schedule_is_changed_stopped_and_refused_with_words(desk: Desk, engine: Engine) -> None:
    _schedule(desk, "doc-admin", "general", 30)
    _schedule(desk, "doc-admin", "general", 60)
    assert [s.delay_days for s in report_schedules(engine, "doc")] == [60]
    with pytest.raises(InvalidInput, match="from 0 to 365 days"):
        _schedule(desk, "doc-admin", "general", 400)
    with pytest.raises(InvalidInput, match="does not apply to ice"):
        _schedule(desk, "ice-admin", "nyc-doc-9-131", 30)
    _schedule(desk, "doc-admin", "general", None)
    assert report_schedules(engine, "doc") == []
    with pytest.raises(InvalidInput, match="not scheduled"):
        _schedule(desk, "doc-admin", "general", None)
    assert [row[0] for row in _audit(engine, "report.unschedule")] == ["doc-admin"]


def test_the_sweep_keeps_the_reports_tallies_one_sweep_behind(desk: Desk, engine: Engine) -> None:
    worker = Worker(desk, {}, name="test-worker")
    assert worker.sweep().tallied == 0  # the first sweep only sees how far the record goes
    assert worker.sweep().tallied > 0
    assert worker.sweep().tallied == 0

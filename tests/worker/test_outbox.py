"""The transactional outbox: who is told what, in the change's own transaction, through the
disclosure policy; reminders; idempotent sweeps; expansion by preference."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.bootstrap import build_worker
from lexdesk.domain.errors import ConcurrencyConflict
from lexdesk.services import custody, instruments
from lexdesk.services.worker import Schedule, Worker
from tests.lawful.harness import Lawful, book, formats, issue


def events(world: Lawful, agency: str | None = None) -> list[Any]:
    e = orm.outbox_events
    query = select(e).order_by(e.c.id)
    if agency:
        query = query.where(e.c.agency_id == agency)
    with world.built.engine.connect() as db:
        return list(db.execute(query))


def count(world: Lawful, table: Any) -> int:
    with world.built.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(table)).scalar_one())


def test_an_issued_detainer_tells_the_custodian_and_not_the_issuer(world: Lawful) -> None:
    book(world, release=world.clock.now() + timedelta(days=5))
    detainer = issue(world, "detainer", ("hold", "notify_release"))
    told = events(world)
    assert [(e.agency_id, e.topic) for e in told] == [("doc", "received")]
    assert told[0].instrument_id == detainer.id
    assert "Testperson" not in told[0].subject and "Avery" not in told[0].subject


def test_nothing_is_written_when_the_change_fails(world: Lawful) -> None:
    book(world)
    detainer = issue(world, "detainer", ("notify_release",))
    before = count(world, orm.outbox_events)
    with pytest.raises(ConcurrencyConflict):
        instruments.acknowledge(
            world.desk,
            instruments.Acknowledge("doc-officer", detainer.id, expected_version=99),
        )
    assert count(world, orm.outbox_events) == before


def test_a_release_the_requester_was_not_told_of_tells_the_requester_nothing(
    world: Lawful,
) -> None:
    release = world.clock.now() + timedelta(days=5)
    person = book(world, release=release)
    detainer = issue(world, "detainer", ("hold",))
    instruments.acknowledge(world.desk, instruments.Acknowledge("doc-officer", detainer.id))
    moved = release + timedelta(days=2)
    custody.set_expected_release(
        world.desk, custody.SetExpectedRelease("doc-officer", person, moved, "court date moved")
    )
    custody.release_person(world.desk, custody.ReleasePerson("doc-officer", person, "bail posted"))
    ice = events(world, "ice")
    # ICE learns that the custodian acknowledged; it does not learn of the reschedule (which
    # would tell a new release date) nor of the moot (which would tell the release).
    assert [e.data["transition"] for e in ice] == ["acknowledge"]
    for event in ice:
        shown = f"{event.subject} {event.data}"
        for moment in (release, moved, release + timedelta(hours=48)):
            assert not any(text in shown for text in formats(moment))


def test_the_due_time_in_an_event_is_the_one_its_agency_may_see(world: Lawful) -> None:
    release = world.clock.now() + timedelta(days=5)
    book(world, release=release)
    detainer = issue(world, "detainer", ("hold", "notify_release"))
    instruments.acknowledge(world.desk, instruments.Acknowledge("doc-officer", detainer.id))
    custodian = events(world, "doc")[0]
    assert "due_at" in custodian.data
    requester = events(world, "ice")[0]
    assert "due_at" not in requester.data


def test_a_sweep_twice_writes_nothing_the_second_time(world: Lawful) -> None:
    release = world.clock.now() + timedelta(days=5)
    book(world, release=release)
    detainer = issue(world, "detainer", ("hold",))
    due = release + timedelta(hours=48)
    worker = build_worker(world.built, "test-worker")
    world.clock.moment = due - timedelta(hours=12)
    first = worker.sweep()
    assert (first.lapsed, first.reminders) == (0, 1)
    again = worker.sweep()
    assert (again.lapsed, again.reminders) == (0, 0)
    world.clock.moment = due - timedelta(hours=1)
    assert worker.sweep().reminders == 1  # the 2-hour window: once more, and only once
    assert worker.sweep().reminders == 0
    world.clock.moment = due + timedelta(minutes=1)
    assert worker.sweep().lapsed == 1
    assert worker.sweep().lapsed == 0
    reminders = [e for e in events(world, "doc") if e.topic == "reminder"]
    assert [e.instrument_id for e in reminders] == [detainer.id, detainer.id]
    assert "24 hours" in reminders[0].subject and "2 hours" in reminders[1].subject
    # The hold ran from the release, which ICE was not told: only the custodian hears of the
    # lapse, and no reminder ever goes to ICE.
    lapse = [e for e in events(world) if e.data.get("transition") == "lapse"]
    assert [e.agency_id for e in lapse] == ["doc"]
    assert not [e for e in events(world, "ice") if e.topic == "reminder"]


def test_the_custodian_is_reminded_of_a_near_release(world: Lawful) -> None:
    release = world.clock.now() + timedelta(days=5)
    book(world, release=release)
    issue(world, "notification_request", ("notify_release",))
    worker = build_worker(world.built, "test-worker")
    world.clock.moment = release - timedelta(hours=20)
    assert worker.sweep().reminders == 1
    near = [e for e in events(world) if e.topic == "reminder"]
    assert [(e.agency_id, e.data["reminder"]) for e in near] == [("doc", "release")]


def test_expansion_follows_preferences_and_subscriptions(world: Lawful) -> None:
    from lexdesk.services import notifications

    notifications.set_preference(world.desk, "doc-legal", "received", "in_app", False)
    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    book(world)
    issue(world, "detainer", ("notify_release",))
    worker = Worker(world.desk, {}, name="expander", schedule=Schedule())
    report = worker.deliver()
    assert report.expanded == 1
    n, u = orm.notifications, orm.users
    with world.built.engine.connect() as db:
        told = set(
            db.scalars(select(u.c.username).join(n, n.c.user_id == u.c.id).order_by(u.c.username))
        )
        messages = list(db.execute(select(orm.outbox_messages)))
    # doc-legal said no; an auditor and an administrator are not sent casework.
    assert told == {"doc-officer"}
    assert [(m.channel, m.address) for m in messages] == [("email", "officer@doc.example")]
    # No e-mail courier is configured here: the attempt fails and is retried later.
    assert report.failed == {"email": 1}
    assert worker.deliver().expanded == 0

"""An audit write that fails sounds the alarm at once and still fails the use case (security.md
row 16; CJIS AU-5, AU-9). Nothing sounds while the trail is written."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from lexdesk.adapters.alarm import ALERTS, LoggingAlarm
from lexdesk.domain.errors import NotFound
from lexdesk.services import audit
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk, RememberingAlarm
from tests.factories import book, detainer, seed_agencies
from tests.fake_accounts import FakeAuditLog
from tests.fakes import FakeAlarm, FakeClock, fake_desk


class StorageGone(Exception):
    """What a full disk or a revoked grant looks like to the audit repository."""


def _unwritable(self: FakeAuditLog, entry: object) -> None:
    raise StorageGone("disk full while writing Jordan Example")


def test_nothing_is_raised_while_the_audit_trail_is_written() -> None:
    alarm = FakeAlarm()
    desk, store = fake_desk(alarm=alarm)
    seed_agencies(desk)
    detainer(desk, book(desk))
    assert store.audit and alarm.raised == [] and alarm.state() is None


def test_a_failed_append_raises_the_alarm_at_once_and_the_change_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock, alarm = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC)), FakeAlarm()
    desk, store = fake_desk(clock, alarm=alarm)
    seed_agencies(desk)
    person = book(desk)
    before = (len(store.audit), len(store.cases))
    monkeypatch.setattr(FakeAuditLog, "submit", _unwritable)
    with pytest.raises(StorageGone):
        verbs.issue_instrument(
            desk, verbs.IssueInstrument("ice-officer", "detainer", "doc", person.id, ("hold",))
        )
    assert (len(store.audit), len(store.cases)) == before  # fail closed: nothing committed
    [raised] = alarm.raised
    assert raised.at == clock.now()
    assert "StorageGone" in raised.reason and "instrument" in raised.reason
    assert "Jordan" not in raised.reason and person.id not in raised.reason


def test_a_refusal_that_cannot_be_recorded_raises_the_alarm_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alarm = FakeAlarm()
    desk, _ = fake_desk(alarm=alarm)
    seed_agencies(desk)
    person = book(desk)
    monkeypatch.setattr(FakeAuditLog, "submit", _unwritable)
    with pytest.raises(StorageGone):  # the refusal cannot be answered as if it were on record
        verbs.issue_instrument(
            desk, verbs.IssueInstrument("nobody", "detainer", "doc", person.id, ("hold",))
        )
    assert len(alarm.raised) >= 1


def test_an_unreadable_clock_of_the_trail_raises_the_alarm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alarm = FakeAlarm()
    desk, _ = fake_desk(alarm=alarm)

    def unreadable(self: FakeAuditLog) -> None:
        raise StorageGone("no")

    monkeypatch.setattr(FakeAuditLog, "now", unreadable)
    with desk.uow() as uow, pytest.raises(StorageGone):
        audit.record(
            uow,
            actor="x",
            agency="",
            action="test.thing",
            object_type="t",
            object_id="1",
            source="cli",
        )
    assert [a.reason for a in alarm.raised] == [
        "audit write failed (StorageGone) while recording test.thing"
    ]


def test_a_desk_built_without_an_alarm_remembers_the_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built, store = fake_desk()
    desk = Desk(uow=built.uow, clock=built.clock, rules=built.rules)
    assert isinstance(desk.alarm, RememberingAlarm) and desk.alarm.state() is None
    monkeypatch.setattr(FakeAuditLog, "submit", _unwritable)
    with pytest.raises(StorageGone):
        audit.record_alone(
            desk, actor="x", agency="", action="a", object_type="t", object_id="1", source="cli"
        )
    state = desk.alarm.state()
    assert state is not None and "StorageGone" in state.reason
    assert not store.audit


def test_the_logging_alarm_logs_critical_and_keeps_the_last_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    alarm, at = LoggingAlarm(), datetime(2020, 1, 17, 15, tzinfo=UTC)
    assert alarm.state() is None
    with caplog.at_level(logging.CRITICAL, logger=ALERTS):
        alarm.raise_alarm("audit write failed (OSError) while recording person.book", at)
    [logged] = [r for r in caplog.records if r.name == ALERTS]
    assert logged.levelno == logging.CRITICAL
    assert "person.book" in logged.getMessage() and "2020-01-17T15:00:00" in logged.getMessage()
    state = alarm.state()
    assert state is not None and state.at == at and "OSError" in state.reason


def test_a_refusal_on_record_raises_no_alarm() -> None:
    alarm = FakeAlarm()
    desk, _ = fake_desk(alarm=alarm)
    seed_agencies(desk)
    person = book(desk)
    with pytest.raises(NotFound):
        verbs.issue_instrument(
            desk, verbs.IssueInstrument("nobody", "detainer", "doc", person.id, ("hold",))
        )
    assert alarm.raised == []

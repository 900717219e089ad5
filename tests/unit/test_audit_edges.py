"""The audit trail at its edges, through the services on fakes: entries that cannot be
encoded, checkpoints and purges refused over a broken chain, a purge with nothing to purge,
bulk entries of a roster, and the alarm when even the clock of the trail is gone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from lexdesk.domain.audit import new_signing_key
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import audit, roster
from lexdesk.services.audit_retention import PurgeAudit, purge
from lexdesk.services.context import Desk, alarm_of
from lexdesk.services.ports import UnitOfWork
from tests.factories import seed_agencies
from tests.fake_accounts import FakeAuditLog
from tests.fakes import FakeAlarm, FakeClock, FakeUnitOfWork, _Store, fake_desk

START = datetime(2019, 11, 21, 15, tzinfo=UTC)
HEADER = ("nysid", "family_name", "given_name", "arrested_on", "booked_at")


class StorageGone(Exception):
    """What a full disk or a revoked grant looks like to the audit repository."""


def _gone(*_: object) -> Any:
    raise StorageGone("disk full while writing Rowan Example")


@pytest.fixture
def world() -> tuple[Desk, _Store, FakeClock, FakeAlarm]:
    clock, alarm = FakeClock(START), FakeAlarm()
    desk, store = fake_desk(clock, alarm=alarm)
    seed_agencies(desk)  # entries 1 to 15
    return desk, store, clock, alarm


def _tamper(store: _Store, seq: int, **changes: Any) -> None:
    """Change an entry as someone with the database's keys could."""
    index = next(i for i, e in enumerate(store.audit) if e.seq == seq)
    store.audit[index] = dataclasses.replace(store.audit[index], **changes)


def _roster(*people: tuple[str, str]) -> list[tuple[int, dict[str, str | None]]]:
    lines = [(nysid, "Example", given, "2019-11-20", "2019-11-20T18:00:00-05:00")
             for nysid, given in people]  # fmt: skip
    return [(n, dict(zip(HEADER, line, strict=True))) for n, line in enumerate(lines, 2)]


@pytest.mark.parametrize(
    ("detail", "why"),
    [
        ({"score": float("nan")}, "Out of range float values are not JSON compliant"),
        ({"names": {"Rowan", "Jules"}}, "Object of type set is not JSON serializable"),
    ],
)
def test_an_entry_that_cannot_be_encoded_breaks_the_chain_there(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm], detail: dict[str, Any], why: str
) -> None:
    desk, store, _, _ = world
    _tamper(store, 5, detail=detail)
    result = audit.verify(desk)
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 4, 5)
    assert result.reason is not None
    assert result.reason.startswith("entry cannot be encoded: ") and why in result.reason


def test_no_checkpoint_is_signed_over_a_broken_chain(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm],
) -> None:
    desk, store, _, _ = world
    private_key, public_key = new_signing_key()
    signed = audit.checkpoint(desk, private_key)
    assert (signed.size, signed.public_key) == (15, public_key.hex())
    _tamper(store, 3, actor="mallory")
    with pytest.raises(InvalidInput) as refused:
        audit.checkpoint(desk, private_key)
    assert str(refused.value) == (
        "the audit chain is broken at seq 3 (hash mismatch): no checkpoint signed;"
        " investigate with `lexdesk audit verify`"
    )


def test_a_purge_over_a_broken_chain_is_refused_purges_nothing_and_is_on_record(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm],
) -> None:
    desk, store, clock, _ = world
    _tamper(store, 5, action="user.remove")
    clock.advance(days=400)
    with pytest.raises(InvalidInput) as refused:
        purge(desk, PurgeAudit(before=date(2019, 12, 1)))
    assert str(refused.value) == "audit purge refused: the chain is broken at seq 5: no purge"
    assert [e.seq for e in store.audit] == list(range(1, 17))  # the refusal is entry 16
    refusal = store.audit[-1]
    assert (refusal.action, refusal.outcome, refusal.object_id) == ("audit.purge", "denied", "")
    assert refusal.detail == {
        "before": "2019-12-01",
        "reason": "the chain is broken at seq 5: no purge",
    }


def test_a_purge_with_nothing_old_enough_removes_nothing_and_names_no_anchor(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm],
) -> None:
    desk, store, clock, _ = world
    clock.advance(days=400)
    done = purge(desk, PurgeAudit(before=date(2019, 11, 21)))  # the first entry is that day
    assert (done.entries, done.anchor) == (0, None)
    assert [e.seq for e in store.audit] == list(range(1, 17))
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.object_id) == ("audit.purge", "success", "")
    assert entry.detail == {"before": "2019-11-21", "purged": 0}  # no through_seq: no anchor
    result = audit.verify(desk)
    assert result.ok and result.checked == 16


def test_a_roster_puts_each_booking_on_record_at_once_and_nothing_the_second_time(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm],
) -> None:
    desk, store, _, _ = world
    people = _roster(("11110001A", "Rowan"), ("11110002B", "Jules"))
    report = roster.import_roster(desk, "doc-officer", people)
    assert report.counts["booked"] == 2
    booked = store.audit[15:]
    assert [(e.seq, e.action, e.actor, e.detail["line"]) for e in booked] == [
        (16, "person.booked", "doc-officer", 2),
        (17, "person.booked", "doc-officer", 3),
    ]
    assert [e.object_id for e in booked] == [r.person_id for r in report.rows]
    again = roster.import_roster(desk, "doc-officer", people)
    assert again.counts["unchanged"] == 2
    assert len(store.audit) == 17  # nothing changed, nothing on record
    assert audit.verify(desk).ok


def test_a_roster_whose_entries_cannot_be_written_sounds_the_alarm_and_books_nobody(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, store, clock, alarm = world
    monkeypatch.setattr(FakeAuditLog, "submit_many", _gone)
    with pytest.raises(StorageGone):
        roster.import_roster(desk, "doc-officer", _roster(("11110001A", "Rowan")))
    assert not store.persons and len(store.audit) == 15
    [raised] = alarm.raised
    assert raised.at == clock.now()
    assert raised.reason == "audit write failed (StorageGone) while recording person.booked"


def test_the_alarm_sounds_at_the_wall_clock_when_the_trails_clock_is_gone_too(
    world: tuple[Desk, _Store, FakeClock, FakeAlarm], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, store, _, alarm = world
    monkeypatch.setattr(FakeAuditLog, "submit", _gone)
    monkeypatch.setattr(FakeAuditLog, "now", _gone)
    before = datetime.now(UTC)
    with pytest.raises(StorageGone):
        audit.record_read(
            desk, actor="doc-officer", agency="doc", object_type="person", object_id="per-1",
            source="cli",
        )  # fmt: skip
    after = datetime.now(UTC)
    [raised] = alarm.raised
    assert raised.reason == "audit write failed (StorageGone) while recording person.read"
    assert before <= raised.at <= after  # not the desk's clock, which is in 2019
    assert len(store.audit) == 15


def test_a_unit_of_work_no_desk_opened_fails_closed_with_no_alarm_to_sound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A tool that opens its unit of work itself (no desk, so no alarm): the write still fails
    # and the failure reaches it unchanged.
    store = _Store()
    monkeypatch.setattr(FakeAuditLog, "submit", _gone)
    with FakeUnitOfWork(store, FakeClock(START)) as opened:
        uow = cast("UnitOfWork", opened)  # the fake stands in for the port
        assert alarm_of(uow) is None
        with pytest.raises(StorageGone, match="disk full"):
            audit.record(
                uow, actor="system", agency="", action="test.note", object_type="test",
                object_id="1", source="cli",
            )  # fmt: skip
    assert store.audit == []

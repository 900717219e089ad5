"""Audit entries say where they came in, from what client, and to which agency the act goes
(security.md row 15; CJIS AU-3): the fields are hashed, so changing them breaks the chain; an
entry written before they existed keeps its hash; each entry point stamps its own channel."""

from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import json
from datetime import UTC, datetime

import pytest

from lexdesk.domain.audit import GENESIS_HASH, chain_next, entry_hash, verify_chain
from lexdesk.services import audit
from tests.factories import book, detainer, seed_agencies
from tests.fakes import FakeClock, fake_desk

AT = datetime(2020, 1, 17, 15, 0, 0, 120000, tzinfo=UTC)
FIELDS = {
    "actor": "doc-legal",
    "agency": "doc",
    "action": "instrument.determine",
    "object_type": "instrument",
    "object_id": "ins-1",
    "outcome": "success",
    "source": "10.0.0.1",
    "detail": {"kind": "detainer"},
}


def test_an_entry_from_before_the_channel_keeps_its_hash() -> None:
    entry = chain_next(None, at=AT, **FIELDS)  # type: ignore[arg-type]
    as_chained_then = {**FIELDS, "seq": 1, "at": "2020-01-17T15:00:00.12Z"}
    as_chained_then["prev_hash"] = GENESIS_HASH
    text = json.dumps(as_chained_then, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.hash == hashlib.sha256(text.encode()).hexdigest()


def test_the_channel_and_the_receiving_agency_are_hashed() -> None:
    entry = chain_next(
        None,
        at=AT,
        component="api",
        client="agency-system/2.1",
        receiving_agency="ice",
        **FIELDS,  # type: ignore[arg-type]
    )
    assert entry.hash != chain_next(None, at=AT, **FIELDS).hash  # type: ignore[arg-type]
    for name, forged in (("component", "web"), ("client", "curl"), ("receiving_agency", "usao")):
        changed = dataclasses.replace(entry, **{name: forged})
        assert entry_hash(changed) != entry.hash
        assert not verify_chain([changed]).ok


def test_an_unknown_component_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="component"):
        contextvars.copy_context().run(audit.open_channel, "telnet")


def test_each_entry_carries_the_channel_it_was_written_in() -> None:
    desk, store = fake_desk(FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)))

    def as_the_api() -> audit.Channel:
        via = audit.open_channel("api", "agency-system/2.1")
        seed_agencies(desk)
        person = book(desk)
        detainer(desk, person)
        return via

    via = contextvars.copy_context().run(as_the_api)
    assert {(e.component, e.client) for e in store.audit} == {("api", "agency-system/2.1")}
    [issued] = [e for e in store.audit if e.action == "instrument.issue"]
    assert (issued.agency, issued.receiving_agency) == ("ice", "doc")
    assert via.refusals == 0
    # Outside any entry point (a new, empty context): a service called by a script.
    contextvars.Context().run(
        audit.record_alone,
        desk,
        actor="system",
        agency="",
        action="test.probe",
        object_type="probe",
        object_id="1",
        source="test",
    )
    assert store.audit[-1].component == "internal"


def test_a_refusal_on_record_is_counted_on_its_channel() -> None:
    desk, _ = fake_desk(FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)))

    def refused() -> int:
        via = audit.open_channel("web")
        audit.record_alone(
            desk,
            actor="anonymous",
            agency="",
            action="test.refused",
            object_type="probe",
            object_id="",
            outcome="denied",
            source="test",
        )
        return via.refusals

    assert contextvars.copy_context().run(refused) == 1

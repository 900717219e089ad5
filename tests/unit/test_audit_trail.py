"""Every state change of the ladder leaves exactly one audit entry, and the chain holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lexdesk.domain.audit import verify_chain
from lexdesk.domain.errors import NotAuthenticated, NotPermitted
from lexdesk.services import api_tokens, audit
from lexdesk.services import instruments as verbs
from tests.factories import book, declined, detainer, seed_agencies
from tests.fakes import FakeClock, fake_desk


def test_each_change_of_the_ladder_is_one_entry_of_its_action() -> None:
    clock = FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC))
    desk, store = fake_desk(clock)
    seed_agencies(desk)
    assert [e.action for e in store.audit] == ["agency.register", "user.add", "user.add"] * 5
    person = book(desk)
    first = detainer(desk, person)
    declined(desk, first)
    clock.moment = datetime(2020, 1, 17, 20, tzinfo=UTC)
    subpoena = verbs.escalate(
        desk,
        verbs.Escalate(
            "ice-officer", first, "Declined.", return_date=datetime(2020, 1, 31, 22, tzinfo=UTC)
        ),
    )
    clock.moment = datetime(2020, 2, 1, 14, tzinfo=UTC)
    verbs.lapse_overdue(desk, [subpoena.id])
    referral = verbs.escalate(
        desk, verbs.Escalate("ice-officer", subpoena.id, "Ignored.", addressee="usao")
    )
    verbs.withdraw(desk, verbs.Withdraw("ice-officer", referral.id, "Resolved."))
    tail = [(e.action, e.actor, e.object_id) for e in store.audit[15:]]
    assert tail == [
        ("person.book", "doc-officer", person.id),
        ("instrument.issue", "ice-officer", first),
        ("instrument.acknowledge", "doc-officer", first),
        ("instrument.determine", "doc-legal", first),
        ("instrument.escalate", "ice-officer", subpoena.id),
        ("instrument.lapse", "system", subpoena.id),
        ("instrument.escalate", "ice-officer", referral.id),
        ("instrument.withdraw", "ice-officer", referral.id),
    ]
    assert store.audit[18].detail["outcome"] == "declined"
    assert verify_chain(store.audit).ok


def test_a_refused_change_is_recorded_as_denied_and_changes_nothing() -> None:
    desk, store = fake_desk(FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)))
    seed_agencies(desk)
    first = detainer(desk, book(desk))
    before = len(store.audit)
    with pytest.raises(NotPermitted):
        verbs.acknowledge(desk, verbs.Acknowledge("ice-officer", first, source="198.51.100.4"))
    (denial,) = store.audit[before:]
    assert (denial.action, denial.outcome, denial.actor, denial.source) == (
        "instrument.acknowledge",
        "denied",
        "ice-officer",
        "198.51.100.4",
    )


def test_an_audit_entry_has_the_time_to_the_hundredth_in_utc() -> None:
    desk, store = fake_desk(FakeClock(datetime(2020, 1, 17, 15, 0, 1, 987654, tzinfo=UTC)))
    seed_agencies(desk)
    assert store.audit[0].at == datetime(2020, 1, 17, 15, 0, 1, 980000, tzinfo=UTC)


def test_reads_of_personal_data_are_recorded() -> None:
    desk, store = fake_desk()
    audit.record_read(
        desk,
        actor="doc-officer",
        agency="doc",
        object_type="person",
        object_id="per-1",
        source="cli",
    )
    assert [(e.action, e.object_id) for e in store.audit] == [("person.read", "per-1")]


def test_api_tokens_are_scoped_expire_and_can_be_revoked() -> None:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    desk, store = fake_desk(clock)
    seed_agencies(desk)
    secret, token = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("doc", "jail system", ("cases:read",), timedelta(days=30))
    )
    assert secret not in repr(store.accounts.api_tokens) and secret not in repr(store.audit)
    principal = api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.9")
    assert (principal.via, principal.agency_id, principal.allows("cases:read")) == (
        "token",
        "doc",
        True,
    )
    with pytest.raises(NotPermitted):
        api_tokens.verify_api_token(desk, secret, "persons:write", "10.0.0.9")
    clock.advance(days=30)
    with pytest.raises(NotAuthenticated):
        api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.9")
    clock.advance(days=-1)
    api_tokens.revoke_api_token(desk, api_tokens.RevokeApiToken(token.id))
    with pytest.raises(NotAuthenticated):
        api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.9")
    refusals = [e.outcome for e in store.audit if e.action == "token.use"]
    assert refusals == ["denied", "denied", "denied"]

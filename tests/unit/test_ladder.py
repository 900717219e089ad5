"""The whole ladder through the services, on fakes: every rung, every refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lexdesk.domain.answers import LawContradicted
from lexdesk.domain.errors import (
    ConcurrencyConflict,
    EscalationRefused,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from lexdesk.domain.vocabulary import InstrumentKind, InstrumentStatus
from lexdesk.services import instruments as verbs
from tests.factories import book, declined, detainer, seed_agencies
from tests.fakes import FakeClock, FakeRuleBook, fake_desk


@pytest.fixture
def desk():  # type: ignore[no-untyped-def]
    desk, _ = fake_desk(FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)))
    seed_agencies(desk)
    return desk


def _case(desk, instrument_id):  # type: ignore[no-untyped-def]
    with desk.uow() as uow:
        return uow.cases.of_instrument(instrument_id)


def test_walks_the_whole_ladder_to_a_court_order(desk) -> None:  # type: ignore[no-untyped-def]
    clock = desk.clock
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
    assert subpoena.kind is InstrumentKind.ADMINISTRATIVE_SUBPOENA
    assert subpoena.parent_id == first
    assert subpoena.actions == ("disclose:release_date",)
    clock.moment = datetime(2020, 2, 1, 14, tzinfo=UTC)
    assert [i.id for i in verbs.lapse_overdue(desk, [subpoena.id])] == [subpoena.id]
    referral = verbs.escalate(
        desk, verbs.Escalate("ice-officer", subpoena.id, "Ignored.", addressee="usao")
    )
    verbs.acknowledge(desk, verbs.Acknowledge("usao-legal", referral.id))
    petition = verbs.escalate(
        desk, verbs.Escalate("usao-legal", referral.id, "Enforce.", addressee="court")
    )
    assert petition.issuer_agency_id == "usao" and petition.addressee_agency_id == "court"
    verbs.acknowledge(desk, verbs.Acknowledge("court-officer", petition.id))
    verbs.determine(
        desk,
        verbs.Determine(
            "court-legal", petition.id, "granted_narrowed", "In part.", ("release_date",)
        ),
    )
    order = verbs.escalate(
        desk,
        verbs.Escalate(
            "court-legal", petition.id, "Comply.", return_date=datetime(2020, 2, 20, tzinfo=UTC)
        ),
    )
    assert (order.kind, order.issuer_agency_id, order.addressee_agency_id) == (
        InstrumentKind.COURT_ORDER,
        "court",
        "doc",
    )
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", order.id))
    verbs.determine(
        desk, verbs.Determine("doc-legal", order.id, "complied", "Ordered.", ("release_date",))
    )
    chain = _case(desk, first).instruments
    assert [(i.kind.value, i.status.value) for i in chain] == [
        ("detainer", "escalated"),
        ("administrative_subpoena", "escalated"),
        ("referral", "escalated"),
        ("enforcement_petition", "escalated"),
        ("court_order", "complied"),
    ]


def test_an_illegal_transition_names_instrument_state_and_transition(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    with pytest.raises(IllegalTransition) as raised:
        verbs.determine(desk, verbs.Determine("doc-legal", first, "declined", "Too early."))
    assert (
        str(raised.value)
        == f"instrument {first} (detainer) is issued: 'determine' is not allowed from issued"
    )


def test_escalation_refused_while_the_instrument_is_still_open(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    with pytest.raises(
        EscalationRefused, match="escalates to administrative_subpoena only when it is"
    ):
        verbs.escalate(desk, verbs.Escalate("ice-officer", first, "Impatient."))


def test_nothing_escalates_from_a_court_order(desk) -> None:  # type: ignore[no-untyped-def]
    case = _walk_to_order(desk)
    with pytest.raises(EscalationRefused, match="top of the ladder"):
        verbs.escalate(desk, verbs.Escalate("court-legal", case, "Contempt?"))


def _walk_to_order(desk) -> str:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    declined(desk, first)
    desk.clock.moment = datetime(2020, 1, 17, 20, tzinfo=UTC)
    sub = verbs.escalate(
        desk,
        verbs.Escalate("ice-officer", first, "x", return_date=datetime(2020, 1, 31, tzinfo=UTC)),
    ).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", sub))
    verbs.determine(desk, verbs.Determine("doc-legal", sub, "contested", "Contested."))
    ref = verbs.escalate(desk, verbs.Escalate("ice-officer", sub, "x", addressee="usao")).id
    verbs.acknowledge(desk, verbs.Acknowledge("usao-legal", ref))
    pet = verbs.escalate(desk, verbs.Escalate("usao-legal", ref, "x", addressee="court")).id
    verbs.acknowledge(desk, verbs.Acknowledge("court-officer", pet))
    verbs.determine(desk, verbs.Determine("court-legal", pet, "granted", "Granted."))
    return verbs.escalate(
        desk,
        verbs.Escalate("court-legal", pet, "x", return_date=datetime(2020, 3, 2, 22, tzinfo=UTC)),
    ).id


def test_a_denied_petition_closes_the_case(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    declined(desk, first)
    desk.clock.moment = datetime(2020, 1, 17, 20, tzinfo=UTC)
    sub = verbs.escalate(
        desk,
        verbs.Escalate("ice-officer", first, "x", return_date=datetime(2020, 1, 31, tzinfo=UTC)),
    ).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", sub))
    verbs.determine(desk, verbs.Determine("doc-legal", sub, "declined", "No."))
    ref = verbs.escalate(desk, verbs.Escalate("ice-officer", sub, "x", addressee="usao")).id
    verbs.acknowledge(desk, verbs.Acknowledge("usao-legal", ref))
    pet = verbs.escalate(desk, verbs.Escalate("usao-legal", ref, "x", addressee="court")).id
    verbs.acknowledge(desk, verbs.Acknowledge("court-officer", pet))
    verbs.determine(desk, verbs.Determine("court-legal", pet, "denied", "Not relevant."))
    assert _case(desk, pet).status.value == "closed"
    with pytest.raises(EscalationRefused):
        verbs.escalate(desk, verbs.Escalate("court-legal", pet, "x"))


def test_a_referral_must_go_to_a_prosecutor(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    declined(desk, first)
    desk.clock.moment = datetime(2020, 1, 17, 20, tzinfo=UTC)
    sub = verbs.escalate(
        desk,
        verbs.Escalate("ice-officer", first, "x", return_date=datetime(2020, 1, 31, tzinfo=UTC)),
    ).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", sub))
    verbs.determine(desk, verbs.Determine("doc-legal", sub, "declined", "No."))
    with pytest.raises(InvalidInput, match="name the prosecutor agency"):
        verbs.escalate(desk, verbs.Escalate("ice-officer", sub, "x"))
    with pytest.raises(InvalidInput, match="court is a court agency: only a prosecutor agency"):
        verbs.escalate(desk, verbs.Escalate("ice-officer", sub, "x", addressee="court"))


def test_a_subpoena_needs_a_future_return_date(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    declined(desk, first)
    with pytest.raises(InvalidInput, match="in the past"):
        verbs.escalate(
            desk,
            verbs.Escalate("ice-officer", first, "x", return_date=datetime(2019, 1, 1, tzinfo=UTC)),
        )
    # refused before anything was written: the detainer is still declined, with no child
    case = _case(desk, first)
    assert [i.status.value for i in case.instruments] == ["declined"]


def test_only_the_addressee_answers(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    with pytest.raises(NotPermitted, match="only the addressee"):
        verbs.acknowledge(desk, verbs.Acknowledge("ice-officer", first))


def test_another_agency_cannot_see_the_instrument(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    with pytest.raises(NotFound):
        verbs.withdraw(desk, verbs.Withdraw("ice2-officer", first, "Not mine."))


def test_a_stale_version_is_a_conflict(desk) -> None:  # type: ignore[no-untyped-def]
    first = detainer(desk, book(desk))
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", first, expected_version=1))
    with pytest.raises(ConcurrencyConflict, match="expected version 1"):
        verbs.determine(
            desk, verbs.Determine("doc-legal", first, "declined", "x", expected_version=1)
        )


def test_a_determination_stores_its_evaluation() -> None:
    rules = FakeRuleBook({"hold": "prohibited"})
    desk, _ = fake_desk(FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)), rules)
    seed_agencies(desk)
    first = detainer(desk, book(desk))
    declined(desk, first)
    stored = _case(desk, first).instrument(first).determination
    assert stored.evaluation["pack"] == "us-ny-nyc-doc"
    assert stored.evaluation["inputs"]["person"]["convictions"] == [
        {
            "offense": "NY PL 160.15",
            "date": "2016-03-01",
            "released_on": "2018-03-01",
            "level": "felony",  # from its class, "B felony"
        }
    ]
    assert rules.documents[0]["as_of"] == "2019-11-21"


def test_releasing_a_prohibited_field_is_refused_and_nothing_is_written() -> None:
    desk, _ = fake_desk(
        FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC)),
        FakeRuleBook({"disclose:release_date": "prohibited"}),
    )
    seed_agencies(desk)
    first = detainer(desk, book(desk))
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", first))
    with pytest.raises(LawContradicted, match="performs disclose:release_date, which FAKE-"):
        verbs.determine(
            desk, verbs.Determine("doc-legal", first, "complied", "x", ("release_date",))
        )
    assert _case(desk, first).instrument(first).status is InstrumentStatus.ACKNOWLEDGED

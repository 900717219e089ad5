"""The refusals of role, side, agency and confirmation that the ordinary paths rarely meet,
through the services on fakes: each refused in words that say why, and each on record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import (
    ConfirmationNeeded,
    EscalationRefused,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from lexdesk.domain.permissions import Permission
from lexdesk.services import (
    account_admin,
    accounts,
    agencies,
    api_tokens,
    audit,
    confirmation,
    evaluation,
    privileges,
    serving,
)
from lexdesk.services import instruments as verbs
from lexdesk.services.accounts import Principal
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk
from lexdesk.services.persons import BookPerson, book_person
from tests.factories import book, declined, detainer, seed_agencies
from tests.fakes import FakeClock, _Store, fake_desk
from tests.unit.test_accounts import PASSWORD, SOURCE, code, enrolled, sign_in

START = datetime(2019, 11, 21, 15, tzinfo=UTC)


@pytest.fixture
def world() -> tuple[Desk, _Store, FakeClock]:
    clock = FakeClock(START)
    desk, store = fake_desk(clock)
    seed_agencies(desk)
    return desk, store, clock


def _principal(desk: Desk, username: str) -> Principal:
    """``username`` as a signed-in request would present them to the services."""
    with desk.uow() as uow:
        user = uow.users.by_username(username)
        assert user is not None
        return accounts.principal_of(uow, user)


def _booking(actor: str) -> BookPerson:
    return BookPerson(
        actor=actor,
        family_name="Testperson",
        given_name="Sam",
        arrested_on=START.date(),
        booked_at=START,
        identifiers={"nysid": "22222222B"},
    )


# --- authorization: role, side, agency ---------------------------------------------------


def test_a_system_token_holds_no_role_and_may_not_record_service(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    secret, _ = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("doc", "jail-system", ("cases:read",))
    )
    token = api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.9")
    with pytest.raises(NotPermitted) as refused:
        serving.record(desk, token, "ins-1", "personal", "A. Server", START, source="10.0.0.9")
    assert str(refused.value) == (
        "jail-system may not instrument:issue: no role of theirs (none) grants it;"
        " ask an administrator of doc"
    )
    # The refusal is on record, naming the instrument asked for and the method given.
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor, entry.agency, entry.object_id) == (
        "instrument.serve",
        "denied",
        "jail-system",
        "doc",
        "ins-1",
    )
    assert entry.detail == {"reason": str(refused.value), "method": "personal"}


def test_a_role_that_does_not_grant_the_permission_is_named_in_the_refusal(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    agencies.add_user(desk, agencies.AddUser("doc-auditor", "doc", "An Auditor", ("auditor",)))
    with pytest.raises(NotPermitted) as refused:
        book_person(desk, _booking("doc-auditor"))
    assert str(refused.value) == (
        "doc-auditor may not person:write: no role of theirs (auditor) grants it;"
        " ask an administrator of doc"
    )
    assert (store.audit[-1].action, store.audit[-1].outcome) == ("person.book", "denied")
    assert not store.persons


def test_a_bad_method_of_service_is_on_record_as_a_failure_not_a_denial(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    officer = _principal(desk, "ice-officer")
    with pytest.raises(InvalidInput):
        serving.record(desk, officer, "ins-1", "carrier-pigeon", "A. Server", START, source="cli")
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor) == (
        "instrument.serve",
        "failure",
        "ice-officer",
    )
    assert entry.detail["method"] == "carrier-pigeon"


def test_an_immigration_officer_may_not_book_a_person(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    with pytest.raises(NotPermitted) as refused:
        book_person(desk, _booking("ice-officer"))
    assert str(refused.value) == (
        "ICE Field Office is not a custodial agency: only a custodian holds people"
    )
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor) == ("person.book", "denied", "ice-officer")
    assert not store.persons


def test_the_issuer_may_not_read_the_addressees_evaluation_it_is_not_there(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, _, _ = world
    first = detainer(desk, book(desk))
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", first))
    # ICE's counsel holds the permission to determine, but only the addressee answers.
    with pytest.raises(NotFound) as refused:
        evaluation.evaluation_now(desk, _principal(desk, "ice-legal"), first, "cli")
    assert (refused.value.what, refused.value.key) == ("instrument", first)
    assert evaluation.evaluation_now(desk, _principal(desk, "doc-legal"), first, "cli") is not None


def _walk_to_court_order(desk: Desk) -> str:
    first = detainer(desk, book(desk))
    declined(desk, first)
    desk.clock.moment = datetime(2020, 1, 17, 20, tzinfo=UTC)  # type: ignore[attr-defined]
    due = datetime(2020, 1, 31, tzinfo=UTC)
    sub = verbs.escalate(desk, verbs.Escalate("ice-officer", first, "x", return_date=due)).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", sub))
    verbs.determine(desk, verbs.Determine("doc-legal", sub, "contested", "Contested."))
    ref = verbs.escalate(desk, verbs.Escalate("ice-officer", sub, "x", addressee="usao")).id
    verbs.acknowledge(desk, verbs.Acknowledge("usao-legal", ref))
    pet = verbs.escalate(desk, verbs.Escalate("usao-legal", ref, "x", addressee="court")).id
    verbs.acknowledge(desk, verbs.Acknowledge("court-officer", pet))
    verbs.determine(desk, verbs.Determine("court-legal", pet, "granted", "Granted."))
    due = datetime(2020, 3, 2, 22, tzinfo=UTC)
    return verbs.escalate(desk, verbs.Escalate("court-legal", pet, "x", return_date=due)).id


def test_no_side_escalates_a_court_order_and_the_table_says_so(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    order = _walk_to_court_order(desk)
    # No row of the table lets any side escalate a court order: the side check lets it
    # through, so that the refusal is the ladder's own, naming why.
    with pytest.raises(EscalationRefused, match="top of the ladder"):
        verbs.escalate(desk, verbs.Escalate("court-legal", order, "Contempt?"))
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.object_id) == (
        "instrument.escalate",
        "failure",
        order,
    )
    assert entry.detail["refusal"] == "EscalationRefused"


def test_authorize_refuses_a_person_held_by_another_agency(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    # The custody services look the person up in the actor's own agency first (a stranger's
    # person is not found); this is the check behind that, for any service handing one over.
    desk, _, _ = world
    person = book(desk)
    with desk.uow() as uow:
        ice = uow.users.by_username("ice-officer")
        doc = uow.users.by_username("doc-officer")
    assert ice is not None and doc is not None
    with pytest.raises(NotPermitted, match=r"^ice-officer may act only on people their agency"):
        authorize(ice, Permission.PERSON_WRITE, person)
    authorize(doc, Permission.PERSON_WRITE, person)


def test_authorize_refuses_acting_for_another_agency(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, _, _ = world
    with desk.uow() as uow:
        ice, doc = uow.agencies.get("ice"), uow.agencies.get("doc")
    assert ice is not None and doc is not None
    officer = _principal(desk, "ice-officer")
    with pytest.raises(NotPermitted) as refused:
        authorize(officer, Permission.AGENCY_READ, doc)
    assert str(refused.value) == "ice-officer acts for ice, not doc"
    authorize(officer, Permission.AGENCY_READ, ice)


# --- context: the operator, disabled users, unknown agencies -----------------------------


def _operator_desk(clock: FakeClock) -> tuple[Desk, _Store]:
    """A command-line desk: the operator at the controls, acting as ``system`` or ``--as``."""
    desk, store = fake_desk(clock)
    return dataclasses.replace(desk, operator="operator:tester"), store


def test_the_operator_not_system_is_the_actor_on_record() -> None:
    desk, store = _operator_desk(FakeClock(START))
    seed_agencies(desk)
    user_adds = [e for e in store.audit if e.action == "user.add"]
    assert len(user_adds) == 10
    assert {e.actor for e in user_adds} == {"operator:tester"}
    assert all("on_behalf_of" not in e.detail for e in user_adds)


def test_the_operator_acting_as_a_user_is_on_record_on_their_behalf() -> None:
    desk, store = _operator_desk(FakeClock(START))
    seed_agencies(desk)
    person = book(desk)  # as doc-officer
    entry = store.audit[-1]
    assert (entry.action, entry.actor, entry.object_id) == (
        "person.book",
        "operator:tester",
        person.id,
    )
    assert entry.detail["on_behalf_of"] == "doc-officer"


def test_a_disabled_user_may_do_nothing(world: tuple[Desk, _Store, FakeClock]) -> None:
    desk, store, _ = world
    account_admin.disable_user(desk, account_admin.AccountCommand("doc-officer"))
    with pytest.raises(NotPermitted) as refused:
        book(desk)
    assert str(refused.value) == (
        "user doc-officer is disabled: ask an administrator to enable the account"
    )
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor) == ("person.book", "denied", "doc-officer")
    assert not store.persons


def test_a_request_to_an_unknown_agency_is_not_found(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    person = book(desk)
    command = verbs.IssueInstrument("ice-officer", "detainer", "nyc-doc", person.id, ("hold",))
    with pytest.raises(NotFound) as refused:
        verbs.issue_instrument(desk, command)
    assert str(refused.value) == (
        "no agency 'nyc-doc': check the identifier (list them to see what exists)"
    )
    entry = store.audit[-1]
    assert (entry.action, entry.outcome) == ("instrument.issue", "denied")
    assert not store.cases


# --- privileges: confirming it's you ----------------------------------------------------


@pytest.fixture
def accounts_world() -> tuple[Desk, _Store, FakeClock]:
    clock = FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    return desk, store, clock


def test_a_session_is_confirmed_only_after_confirming_and_for_five_minutes(
    accounts_world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, _, clock = accounts_world
    secret = enrolled(desk)
    token = sign_in(desk, clock, secret)
    assert not privileges.is_confirmed(desk, token)
    assert not privileges.is_confirmed(desk, "no-such-session-token")
    confirmation.confirm_identity(desk, token, PASSWORD, code(secret, clock), SOURCE)
    assert privileges.is_confirmed(desk, token)
    clock.advance(minutes=5)
    assert not privileges.is_confirmed(desk, token)


def test_changing_a_password_in_an_unconfirmed_session_asks_to_confirm_first(
    accounts_world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, clock = accounts_world
    secret = enrolled(desk)
    token = sign_in(desk, clock, secret)
    command = confirmation.ChangePassword(
        "doc-officer", PASSWORD, "a whole new passphrase here", token_digest(token), SOURCE
    )
    with pytest.raises(ConfirmationNeeded) as refused:
        confirmation.change_password(desk, command)
    assert str(refused.value) == privileges.CONFIRM_FIRST
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor) == ("user.password", "denied", "doc-officer")
    assert entry.detail["refusal"] == "ConfirmationNeeded"
    # Confirmed, the same change goes through.
    confirmation.confirm_identity(desk, token, PASSWORD, code(secret, clock), SOURCE)
    clock.advance(seconds=30)
    assert confirmation.change_password(desk, command) == 0
    assert (store.audit[-1].action, store.audit[-1].outcome) == ("user.password", "success")


def test_the_operator_is_asked_for_no_confirmation_but_has_no_password_to_change(
    accounts_world: tuple[Desk, _Store, FakeClock],
) -> None:
    # The operator at the command line holds no session: nothing to confirm. The refusal is
    # that there is no account of that name, not a request to confirm who they are.
    desk, store, _ = accounts_world
    command = confirmation.ChangePassword(audit.SYSTEM, "old one", "a whole new passphrase", "")
    with pytest.raises(NotFound) as refused:
        confirmation.change_password(desk, command)
    assert (refused.value.what, refused.value.key) == ("user", "system")
    entry = store.audit[-1]
    assert (entry.action, entry.outcome, entry.actor) == ("user.password", "denied", "system")


def test_no_account_may_take_the_operators_name(
    world: tuple[Desk, _Store, FakeClock],
) -> None:
    desk, store, _ = world
    for taken in (audit.SYSTEM, "System"):
        with pytest.raises(InvalidInput, match="is reserved: it names the desk itself"):
            agencies.add_user(desk, agencies.AddUser(taken, "doc", "Not The Operator", ("admin",)))
    assert all(u.username != audit.SYSTEM for u in store.users.values())

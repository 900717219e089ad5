"""Administration without dead ends, and separation of duties between administrators
(docs/adr/0013-separation-of-duties.md), through the services on fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from lexdesk.domain.agencies import Role
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from lexdesk.services import account_admin, accounts, agencies, confirmation, role_grants
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from lexdesk.services.role_grants import ChangeRoles, DecideGrant
from tests.fakes import FakeClock, fake_desk
from tests.unit.test_accounts import PASSWORD, SOURCE, audit_rows, code, enrolled, sign_in


class World:
    def __init__(self) -> None:
        self.clock = FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))
        self.desk, self.store = fake_desk(self.clock)
        for code_, kind, pack in (
            ("doc", "custodial", "us-ny-nyc-doc"),
            ("ice", "immigration", None),
        ):
            agencies.register_agency(
                self.desk, agencies.RegisterAgency(code_, code_.upper(), kind, "US-NY", pack)
            )
        self.secrets = {
            "doc-officer": enrolled(self.desk),
            "doc-admin": enrolled(self.desk, "doc-admin", ("admin",)),
            "doc-admin2": enrolled(self.desk, "doc-admin2", ("admin",)),
        }
        self.sessions: dict[str, str] = {}

    def session(self, username: str) -> str:
        """A confirmed session of ``username``: the digest privileged actions check."""
        if username not in self.sessions:
            secret = self.secrets[username]
            token = sign_in(self.desk, self.clock, secret, username)
            confirmation.confirm_identity(
                self.desk, token, PASSWORD, code(secret, self.clock), SOURCE
            )
            self.clock.advance(seconds=30)
            self.sessions[username] = token_digest(token)
        return self.sessions[username]

    def command(self, username: str, actor: str) -> AccountCommand:
        return AccountCommand(username, actor, SOURCE, self.session(actor))

    def roles(self, username: str, roles: tuple[str, ...], actor: str) -> role_grants.RoleChange:
        command = ChangeRoles(username, roles, actor, SOURCE, self.session(actor), "new duty")
        return role_grants.change_roles(self.desk, command)

    def decide(self, grant_id: str, actor: str, reason: str = "") -> DecideGrant:
        return DecideGrant(grant_id, actor, SOURCE, self.session(actor), reason)

    def user_roles(self, username: str) -> set[str]:
        return {
            r.value for u in self.store.users.values() if u.username == username for r in u.roles
        }


@pytest.fixture
def world() -> World:
    return World()


def test_an_administrator_cannot_disable_their_own_account(world: World) -> None:
    with pytest.raises(NotPermitted, match="cannot disable your own account"):
        account_admin.disable_user(world.desk, world.command("doc-admin", "doc-admin"))
    assert all(u.active for u in world.store.users.values())
    assert audit_rows(world.store, "user.disable", "denied")


def test_the_last_active_administrator_is_never_disabled(world: World) -> None:
    account_admin.disable_user(world.desk, world.command("doc-admin2", "doc-admin"))
    with pytest.raises(InvalidInput, match="last active administrator of doc"):
        account_admin.disable_user(world.desk, AccountCommand("doc-admin"))  # not even the operator
    assert account_admin.enable_user(world.desk, world.command("doc-admin2", "doc-admin")).active
    account_admin.disable_user(world.desk, AccountCommand("doc-admin"))


def test_a_disabled_account_is_enabled_and_signs_in_again(world: World) -> None:
    account_admin.disable_user(world.desk, world.command("doc-officer", "doc-admin"))
    ticket = accounts.begin_login(world.desk, "doc-officer", PASSWORD, SOURCE)
    code = pyotp.TOTP(world.secrets["doc-officer"]).at(world.clock.now())
    with pytest.raises(NotAuthenticated, match="disabled"):
        accounts.complete_login(world.desk, ticket, code, SOURCE)
    world.clock.advance(seconds=30)
    with pytest.raises(InvalidInput, match="already disabled"):
        account_admin.disable_user(world.desk, world.command("doc-officer", "doc-admin"))
    state = account_admin.enable_user(world.desk, world.command("doc-officer", "doc-admin"))
    assert (state.active, state.locked) == (True, False)
    assert sign_in(world.desk, world.clock, world.secrets["doc-officer"])
    assert [e.actor for e in audit_rows(world.store, "user.enable")] == ["doc-admin"]
    with pytest.raises(InvalidInput, match="already active"):
        account_admin.enable_user(world.desk, world.command("doc-officer", "doc-admin"))


def test_unlock_refuses_an_unlocked_account_and_says_when_it_stays_disabled(world: World) -> None:
    with pytest.raises(InvalidInput, match="is not locked"):
        account_admin.unlock_user(world.desk, AccountCommand("doc-officer"))
    for attempt in range(5):  # from five addresses: one alone would be throttled first
        world.clock.advance(minutes=1)
        with pytest.raises(NotAuthenticated):
            accounts.begin_login(world.desk, "doc-officer", "wrong password", f"10.0.0.{attempt}")
    account_admin.disable_user(world.desk, AccountCommand("doc-officer"))
    state = account_admin.enable_user(world.desk, AccountCommand("doc-officer"))
    assert state.locked  # enabled, but the lock stays
    account_admin.disable_user(world.desk, AccountCommand("doc-officer"))
    state = account_admin.unlock_user(world.desk, AccountCommand("doc-officer"))
    assert (state.active, state.locked) == (False, False)


def test_an_administrator_cannot_change_their_own_roles(world: World) -> None:
    with pytest.raises(NotPermitted, match="cannot change the roles of your own account"):
        world.roles("doc-admin", ("admin", "legal"), "doc-admin")
    assert world.user_roles("doc-admin") == {"admin"}


def test_legal_waits_for_a_second_administrator_who_approves(world: World) -> None:
    change = world.roles("doc-officer", ("officer", "legal", "auditor"), "doc-admin")
    assert {r.value for r in change.user.roles} == {"officer", "auditor"}  # auditor at once
    assert change.pending is not None and change.pending.roles == {Role.LEGAL}
    assert world.user_roles("doc-officer") == {"officer", "auditor"}
    grant_id = change.pending.id
    with pytest.raises(NotPermitted, match="you made the request"):
        role_grants.approve_grant(world.desk, world.decide(grant_id, "doc-admin"))
    assert world.user_roles("doc-officer") == {"officer", "auditor"}
    approved = role_grants.approve_grant(world.desk, world.decide(grant_id, "doc-admin2"))
    assert {r.value for r in approved.user.roles} == {"officer", "auditor", "legal"}
    assert world.user_roles("doc-officer") == {"officer", "auditor", "legal"}
    with pytest.raises(InvalidInput, match="already approved by doc-admin2"):
        role_grants.refuse_grant(world.desk, world.decide(grant_id, "doc-admin2"))
    actions = [(e.action, e.outcome, e.actor) for e in world.store.audit if e.object_id == grant_id]
    assert actions == [
        ("role_grant.request", "success", "doc-admin"),
        ("role_grant.approve", "denied", "doc-admin"),
        ("role_grant.approve", "success", "doc-admin2"),
        ("role_grant.refuse", "failure", "doc-admin2"),
    ]


def test_a_refused_grant_grants_nothing_and_another_may_then_be_asked(world: World) -> None:
    change = world.roles("doc-officer", ("officer", "admin"), "doc-admin")
    assert change.pending is not None
    with pytest.raises(InvalidInput, match="awaits a second administrator"):
        world.roles("doc-officer", ("officer", "legal"), "doc-admin")
    refused = role_grants.refuse_grant(
        world.desk, world.decide(change.pending.id, "doc-admin2", "not this month")
    )
    assert (refused.status, refused.decided_by, refused.decision_reason) == (
        "refused",
        "doc-admin2",
        "not this month",
    )
    assert world.user_roles("doc-officer") == {"officer"}
    assert world.roles("doc-officer", ("officer", "legal"), "doc-admin").pending is not None


def test_nobody_approves_a_grant_that_names_them(world: World) -> None:
    world.roles("doc-admin2", ("admin", "legal"), "doc-admin")
    (grant,) = role_grants.pending_grants(world.desk, "doc")
    with pytest.raises(NotPermitted, match="grants roles to you"):
        role_grants.approve_grant(world.desk, world.decide(grant.id, "doc-admin2"))


def test_an_administrator_of_another_agency_cannot_decide(world: World) -> None:
    world.secrets["ice-admin"] = enrolled_elsewhere(world.desk)
    change = world.roles("doc-officer", ("officer", "legal"), "doc-admin")
    assert change.pending is not None
    with pytest.raises(NotPermitted, match="not an administrator of doc"):
        role_grants.approve_grant(world.desk, world.decide(change.pending.id, "ice-admin"))
    with pytest.raises(NotFound):  # only the operator learns which ids exist
        role_grants.approve_grant(world.desk, DecideGrant("rg-0000000000000000"))


def enrolled_elsewhere(desk: Desk) -> str:
    _, enrolment = accounts.add_account(
        desk, agencies.AddUser("ice-admin", "ice", "An Admin", ("admin",)), PASSWORD
    )
    return enrolment.totp_secret


def test_taking_roles_away_is_immediate_but_the_last_admin_keeps_admin(world: World) -> None:
    change = world.roles("doc-admin2", ("auditor",), "doc-admin")
    assert change.pending is None and world.user_roles("doc-admin2") == {"auditor"}
    with pytest.raises(InvalidInput, match="last active administrator"):
        role_grants.change_roles(world.desk, ChangeRoles("doc-admin", ("auditor",)))
    with pytest.raises(InvalidInput, match="already holds exactly these roles"):
        world.roles("doc-officer", ("officer",), "doc-admin")


def test_an_administrator_adding_a_lawyer_asks_a_second_one(world: World) -> None:
    command = agencies.AddUser("doc-lawyer", "doc", "A Lawyer", ("legal", "supervisor"), SOURCE)
    user, enrolment = accounts.add_account(
        world.desk, command, PASSWORD, actor="doc-admin", session=world.session("doc-admin")
    )
    assert user.roles == {Role.SUPERVISOR} and enrolment.pending_roles == ("legal",)
    only_legal = agencies.AddUser("doc-lawyer2", "doc", "A Lawyer", ("legal",), SOURCE)
    user, enrolment = accounts.add_account(
        world.desk, only_legal, PASSWORD, actor="doc-admin", session=world.session("doc-admin")
    )
    assert user.roles == frozenset() and enrolment.pending_roles == ("legal",)
    grants = role_grants.pending_grants(world.desk, "doc")
    assert {g.username for g in grants} == {"doc-lawyer", "doc-lawyer2"}
    # The operator holds the database: its grants take effect at once.
    user, enrolment = accounts.add_account(
        world.desk, agencies.AddUser("doc-lawyer3", "doc", "A Lawyer", ("legal",)), PASSWORD
    )
    assert user.roles == {Role.LEGAL} and enrolment.pending_roles == ()

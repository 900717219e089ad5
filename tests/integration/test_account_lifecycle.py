"""The account lifecycle on real SQLite and PostgreSQL, with an injected clock (security.md row
13; docs/accounts.md): the worker's sweep disables accounts unused 90 days but never an
agency's last active administrator, removes temporary accounts after their end date, revokes
API tokens unused 90 days; a freed username waits 365 days; the review lists every account."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import Engine, insert, select

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.accounts import ApiToken
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import InvalidInput, NotAuthenticated
from lexdesk.queries.account_review import review_of
from lexdesk.services import account_admin, accounts, agencies, api_tokens, audit, enrolment
from lexdesk.services.context import Desk
from lexdesk.services.worker import Worker
from tests.databases import postgres_database, sqlite_url
from tests.fakes import FakeClock, FakeRuleBook

PASSWORD = "a long passphrase nobody guesses"
START = datetime(2026, 12, 1, 15, 0, 5, tzinfo=UTC)
SOURCE = "192.0.2.40"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    return desk


def add(desk: Desk, username: str, role: str = "officer") -> str:
    """An account enrolled at once (the operator's seeders): its TOTP seed."""
    command = agencies.AddUser(username, "doc", "Test Person", (role,))
    return accounts.add_account(desk, command, PASSWORD)[1].totp_secret


def sign_in(desk: Desk, clock: FakeClock, username: str, seed: str) -> str:
    clock.advance(seconds=30)  # a code is good once: each sign-in takes the next
    ticket = accounts.begin_login(desk, username, PASSWORD, SOURCE)
    return accounts.complete_login(desk, ticket, pyotp.TOTP(seed).at(clock.now()), SOURCE)[0]


def trail(engine: Engine, action: str) -> list[tuple[str, str, str, dict[str, object]]]:
    a, u = orm.audit_log, orm.users
    query = (
        select(a.c.outcome, a.c.actor, a.c.source, a.c.detail, u.c.id)
        .join(u, u.c.id == a.c.object_id)
        .where(a.c.action == action)
        .order_by(a.c.seq)
    )
    with engine.connect() as db:
        return [(row.outcome, row.id, row.source, row.detail) for row in db.execute(query)]


def user_row(engine: Engine, user_id: str) -> dict[str, object]:
    with engine.connect() as db:
        row = db.execute(select(orm.users).where(orm.users.c.id == user_id)).one()
    return dict(row._mapping)


def user_id(desk: Desk, username: str) -> str:
    with desk.uow() as uow:
        found = uow.users.by_username(username)
    assert found is not None
    return found.id


def test_the_sweep_disables_accounts_unused_90_days_but_never_the_last_administrator(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    people = (("doc-admin", "admin"), ("doc-clerk", "officer"), ("doc-legal", "legal"))
    seeds = {name: add(desk, name, role) for name, role in people}
    ids = {name: user_id(desk, name) for name in seeds}
    clock.advance(days=30)
    sign_in(desk, clock, "doc-legal", seeds["doc-legal"])
    sign_in(desk, clock, "doc-legal", seeds["doc-legal"])  # the same day: noted once
    assert user_row(engine, ids["doc-legal"])["last_active_on"] == date(2026, 12, 31)
    worker = Worker(desk, {}, name="test-worker")
    clock.moment = START + timedelta(days=89)
    assert worker.sweep().accounts_disabled == 0
    clock.moment = START + timedelta(days=90)
    swept = worker.sweep()
    assert (swept.accounts_disabled, swept.accounts_kept) == (1, 1)  # the clerk; the admin kept
    kept = "the last active administrator of the agency is never disabled for inactivity"
    assert [r[1:] for r in trail(engine, "user.disable")] == [
        (ids["doc-admin"], "worker",
         {"reason": "inactive 90 days", "inactive_since": "2026-12-01", "kept": kept}),
        (ids["doc-clerk"], "worker",
         {"reason": "inactive 90 days", "inactive_since": "2026-12-01", "sessions_ended": 0}),
    ]  # fmt: skip
    assert [r[0] for r in trail(engine, "user.disable")] == ["denied", "success"]
    for _ in range(2):  # nothing more to do, and nothing said again
        again = worker.sweep()
        assert (again.accounts_disabled, again.accounts_kept, again.accounts_removed) == (0, 1, 0)
    assert len(trail(engine, "user.disable")) == 2
    with pytest.raises(NotAuthenticated):  # disabled: the answer of a wrong password
        sign_in(desk, clock, "doc-clerk", seeds["doc-clerk"])
    sign_in(desk, clock, "doc-admin", seeds["doc-admin"])  # the kept admin still signs in
    account_admin.enable_user(desk, account_admin.AccountCommand("doc-clerk"))
    clock.moment = START + timedelta(days=120)  # the legal user's 90 days since sign-in
    swept = worker.sweep()
    assert (swept.accounts_disabled, swept.accounts_kept) == (1, 0)
    assert user_row(engine, ids["doc-clerk"])["active"] is True  # enabled on day 90: fresh
    assert user_row(engine, ids["doc-legal"])["active"] is False


def test_of_two_idle_administrators_the_one_used_last_is_kept(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    first, second = add(desk, "doc-admin", "admin"), add(desk, "doc-admin2", "admin")
    sign_in(desk, clock, "doc-admin", first)
    clock.advance(days=1)
    sign_in(desk, clock, "doc-admin2", second)
    clock.moment = START + timedelta(days=200)
    Worker(desk, {}, name="test-worker").sweep()
    assert user_row(engine, user_id(desk, "doc-admin"))["active"] is False
    assert user_row(engine, user_id(desk, "doc-admin2"))["active"] is True


def test_a_temporary_account_stops_at_its_end_and_is_removed_with_its_credentials(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    command = agencies.AddUser("doc-temp", "doc", "A Temp", ("officer",), ends_on=date(2026, 12, 2))
    user, issued = enrolment.create_account(desk, command, PASSWORD)
    ticket = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)
    seed = enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE).totp_secret
    accounts.complete_login(desk, ticket, pyotp.TOTP(seed).at(clock.now()), SOURCE)
    made = ApiToken("tok-0000000000000001", token_digest("lxd_t"), "doc", "doc-temp",
                    "jail system", frozenset({"cases:read"}), clock.now(),
                    clock.now() + timedelta(days=90))  # fmt: skip
    with desk.uow() as uow:  # an API token the temporary account made
        uow.accounts.add_api_token(made)
        uow.commit()
    ends = datetime(2026, 12, 3, 5, tzinfo=UTC)  # midnight after 2 December, in New York
    assert user_row(engine, user.id)["ends_at"] == ends
    clock.moment = ends - timedelta(minutes=20)
    token = sign_in(desk, clock, "doc-temp", seed)  # a session open across the end
    clock.moment = ends - timedelta(seconds=1)
    assert accounts.authenticate(desk, token, SOURCE).username == "doc-temp"
    clock.moment = ends
    with pytest.raises(NotAuthenticated, match="reached its end date"):
        accounts.authenticate(desk, token, SOURCE)
    clock.advance(minutes=1)
    again = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)  # the password is right
    with pytest.raises(NotAuthenticated, match="reached its end date"):
        accounts.complete_login(desk, again, pyotp.TOTP(seed).at(clock.now()), SOURCE)
    assert Worker(desk, {}, name="test-worker").sweep().accounts_removed == 1
    row = user_row(engine, user.id)
    assert row["username"] == f"removed-{user.id}" and row["active"] is False
    assert row["removed_at"] == clock.now()
    with engine.connect() as db:
        assert (
            db.scalar(select(orm.credentials).where(orm.credentials.c.user_id == user.id)) is None
        )
        revoked = db.scalar(select(orm.api_tokens.c.revoked_at))
    assert revoked == clock.now()
    [(outcome, _, source, detail)] = trail(engine, "user.remove")
    assert (outcome, source, detail["username"], detail["tokens_revoked"]) == (
        "success", "worker", "doc-temp", ["tok-0000000000000001"])  # fmt: skip
    assert "last_admin" not in detail  # an officer: the agency's administrators are elsewhere
    with pytest.raises(NotAuthenticated, match="username or password is wrong"):
        accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)
    with pytest.raises(InvalidInput, match="was removed"):
        account_admin.enable_user(desk, account_admin.AccountCommand(f"removed-{user.id}"))
    assert audit.verify(desk).ok


def test_a_removed_temporary_administrator_is_said_to_leave_the_agency_without_one(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    command = agencies.AddUser("doc-boss", "doc", "Boss", ("admin",), ends_on=date(2026, 12, 1))
    enrolment.create_account(desk, command, PASSWORD)
    clock.moment = datetime(2026, 12, 2, 6, tzinfo=UTC)
    Worker(desk, {}, name="test-worker").sweep()
    [(_, _, _, detail)] = trail(engine, "user.remove")
    assert "no active administrator left" in str(detail["last_admin"])


def test_an_end_date_in_the_past_is_refused(desk: Desk) -> None:
    command = agencies.AddUser("doc-late", "doc", "Late", ("officer",), ends_on=date(2026, 11, 30))
    with pytest.raises(InvalidInput, match="has passed"):
        enrolment.create_account(desk, command, PASSWORD)


def test_a_username_freed_by_a_removal_waits_365_days(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    command = agencies.AddUser("doc-temp", "doc", "Temp", ("officer",), ends_on=date(2026, 12, 1))
    enrolment.create_account(desk, command, PASSWORD)
    clock.moment = datetime(2026, 12, 2, 6, tzinfo=UTC)
    Worker(desk, {}, name="test-worker").sweep()
    again = agencies.AddUser("doc-temp", "doc", "Someone Else", ("officer",))
    clock.moment += timedelta(days=364)
    with pytest.raises(InvalidInput, match="not reused for 365 days") as refused:
        enrolment.create_account(desk, again, PASSWORD)
    assert "free again on 2027-12-02" in str(refused.value)
    with pytest.raises(InvalidInput, match="removed accounts"):
        agencies.add_user(desk, agencies.AddUser("removed-x1", "doc", "X", ("officer",)))
    clock.moment += timedelta(days=1)
    made, _ = enrolment.create_account(desk, again, PASSWORD)
    assert made.username == "doc-temp"
    with engine.connect() as db:
        names = [row.username for row in review_of(db, "doc")]
    assert names == ["doc-temp", "doc-temp"]  # the removed one keeps its name in the review


def test_an_api_token_is_noted_once_a_day_and_revoked_after_90_days_unused(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    secret, token = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("doc", "jail system", ("cases:read",), timedelta(days=365))
    )
    clock.advance(days=10)
    api_tokens.verify_api_token(desk, secret, "cases:read", SOURCE)
    with engine.connect() as db:
        assert db.scalar(select(orm.api_tokens.c.last_used_on)) == date(2026, 12, 11)
    worker = Worker(desk, {}, name="test-worker")
    clock.moment = START + timedelta(days=99)
    assert worker.sweep().tokens_revoked == 0
    clock.moment = START + timedelta(days=100)
    assert worker.sweep().tokens_revoked == 1
    with pytest.raises(NotAuthenticated):
        api_tokens.verify_api_token(desk, secret, "cases:read", SOURCE)
    with engine.connect() as db:
        a = orm.audit_log
        detail = db.scalar(select(a.c.detail).where(a.c.action == "token.revoke"))
    assert detail == {"reason": "unused 90 days", "name": "jail system"}
    assert token.last_used_on is None  # as made


def test_the_review_lists_every_account_with_its_status_maker_and_last_sign_in(
    desk: Desk, engine: Engine, clock: FakeClock
) -> None:
    seed = add(desk, "doc-admin", "admin")
    add(desk, "doc-clerk")
    add(desk, "doc-gone")
    temporary = agencies.AddUser("doc-temp", "doc", "Temp", ("legal",), ends_on=date(2027, 1, 31))
    enrolment.create_account(desk, temporary, PASSWORD)
    sign_in(desk, clock, "doc-admin", seed)
    account_admin.disable_user(desk, account_admin.AccountCommand("doc-gone"))
    for attempt in range(5):  # locked
        with pytest.raises(NotAuthenticated):
            accounts.begin_login(desk, "doc-clerk", "wrong", f"198.51.100.{attempt}")
    with engine.connect() as db:
        rows = {row.username: row for row in review_of(db, "doc")}
    assert {name: row.status for name, row in rows.items()} == {
        "doc-admin": "active",
        "doc-clerk": "locked",
        "doc-gone": "disabled",
        "doc-temp": "temporary until 2027-01-31",
    }
    admin = rows["doc-admin"]
    assert admin.roles == ("admin",) and admin.created_by == "system"
    assert admin.last_active_on == date(2026, 12, 1) and rows["doc-clerk"].last_active_on is None
    assert not rows["doc-temp"].authenticator_set_up and admin.authenticator_set_up
    assert rows["doc-temp"].to_json()["ends_on"] == "2027-01-31"


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_lifecycle")


def test_the_migration_names_who_made_each_account_and_when_it_last_signed_in(
    fresh_url: str,
) -> None:
    """Accounts made before 0021: their maker from the audit trail, their last sign-in from
    their sessions; a live API token counts as used on the day of the upgrade, so that the
    first sweep disables only what is truly unused."""
    engine = create_database_engine(fresh_url)
    upgrade(engine, "0020")
    made = START - timedelta(days=400)
    signed_in = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with engine.begin() as db:
        db.execute(insert(orm.agencies).values(
            id="doc", name="DOC", kind="custodial", jurisdiction="US-NY",
            deadline_policy={}, created_at=made))  # fmt: skip
        for user in ("usr-a", "usr-b"):
            db.execute(insert(orm.users).values(
                id=user, username=f"doc-{user[-1]}", agency_id="doc", display_name="X",
                roles=["officer"], active=True, created_at=made))  # fmt: skip
        db.execute(insert(orm.audit_log).values(
            seq=1, at=made, actor="operator:root", agency="doc", action="user.add",
            object_type="user", object_id="usr-a", outcome="success", source="cli",
            detail={}, prev_hash="0" * 64, hash="1" * 64))  # fmt: skip
        for at in (made, signed_in):
            db.execute(insert(orm.sessions).values(
                token_digest=token_digest(at.isoformat()), user_id="usr-a", created_at=at,
                last_seen_at=at))  # fmt: skip
        db.execute(insert(orm.api_tokens).values(
            id="tok-1", digest="d" * 64, agency_id="doc", created_by="doc-a", name="jail",
            scopes=["cases:read"], created_at=made,
            expires_at=made + timedelta(days=900)))  # fmt: skip
    upgrade(engine)
    with engine.connect() as db:
        u = orm.users
        rows = db.execute(select(u.c.id, u.c.created_by, u.c.last_active_on))
        found = {row.id: (row.created_by, row.last_active_on) for row in rows}
        used = db.scalar(select(orm.api_tokens.c.last_used_on))
    engine.dispose()
    assert found == {"usr-a": ("operator:root", date(2026, 11, 30)), "usr-b": (None, None)}
    assert used == datetime.now(UTC).date()

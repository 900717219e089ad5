"""Row-level security on PostgreSQL: a second wall between agencies behind the services'
own checks (migration 0023, docs/adr/0025-row-level-security.md). The whole suite already
runs as the application's role (tests/databases.py); these tests look at the wall itself."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, create_engine, func, select, text

from lexdesk.adapters import orm
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.services import accounts, acting_agency, api_tokens
from lexdesk.services.context import Desk
from tests.databases import APP_ROLE, owner_url
from tests.factories import book, detainer, seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

#: The tables every agency reads alike, and why; every other table is agency-scoped.
SHARED = {
    "agencies": "the directory of agencies",
    "audit_log": "one chain for the whole system: each hash covers another agency's entry",
    "audit_anchors": "the chain's purge anchors",
    "audit_pending": "the chain's queue: the sequencer chains every agency's entries",
    "idempotency_keys": "replays, keyed by the account that sent them",
    "published_reports": "public by law",
    "report_tally_marks": "the worker's watermark, no record in it",
    "worker_heartbeats": "the worker's liveness",
    "alembic_version": "the schema's revision",
}


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; SQLite has one process and no roles")
    return engine


@pytest.fixture
def desk(postgres: Engine) -> Desk:
    clock = FakeClock()
    desk = Desk(uow=lambda: SqlUnitOfWork(postgres, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


@pytest.fixture
def world(desk: Desk) -> dict[str, str]:
    """doc holds two people; ice lodges a detainer about the first; ice2 has nothing."""
    lodged, alone = book(desk, "11111111A"), book(desk, "22222222B")
    return {"lodged": lodged.id, "alone": alone.id, "instrument": detainer(desk, lodged)}


def _visible(engine: Engine, agency: str, table: str) -> int:
    with SqlUnitOfWork(engine, FakeClock()) as uow:
        uow.narrow_to(agency)
        return _count(uow.connection, table)


def _count(db: Connection, table: str) -> int:
    counted = select(func.count()).select_from(orm.metadata.tables[table])
    return int(db.execute(counted).scalar_one())


def test_every_agency_scoped_table_is_forced_and_the_role_cannot_get_round_it(
    postgres: Engine,
) -> None:
    with postgres.connect() as db:
        tables = dict(
            db.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity"
                    " AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname)"
                    " FROM pg_class c WHERE c.relkind = 'r'"
                    " AND c.relnamespace = current_schema()::regnamespace"
                )
            ).all()
        )
        role = db.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
            {"role": APP_ROLE},
        ).one()
        owners = set(
            db.execute(
                text(
                    "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
                )
            ).scalars()
        )
        assert db.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
    assert set(SHARED) <= set(tables), "a shared table named here no longer exists"
    scoped = {name: walled for name, walled in tables.items() if name not in SHARED}
    assert scoped and {name for name, walled in scoped.items() if not walled} == set()
    assert not any(walled for name, walled in tables.items() if name in SHARED)
    assert tuple(role) == (False, False) and APP_ROLE not in owners


def test_as_the_application_role_another_agencys_rows_are_not_there(
    postgres: Engine, world: dict[str, str]
) -> None:
    people = "persons"
    # The custodian sees both the people it holds; the requester the one it lodged about.
    assert _visible(postgres, "doc", people) == 2
    assert _visible(postgres, "ice", people) == 1
    with SqlUnitOfWork(postgres, FakeClock()) as uow:
        uow.narrow_to("ice")
        seen = uow.connection.execute(select(orm.persons.c.id)).scalars().all()
        assert seen == [world["lodged"]]
        # A query that forgets every filter still gets only what the agency takes part in.
        assert uow.connection.execute(select(orm.instruments.c.id)).scalars().all() == [
            world["instrument"]
        ]
        users = uow.connection.execute(select(orm.users.c.agency_id).distinct()).scalars()
        assert set(users) == {"ice"}
    # Another requester takes part in nothing: nothing of it is there, not even a count.
    for table in (
        "persons",
        "person_identifiers",
        "custodies",
        "cases",
        "case_parties",
        "instruments",
        "instrument_events",
        "outbox_events",
        "sessions",
        "credentials",
    ):
        assert _visible(postgres, "ice2", table) == 0, table
    assert _visible(postgres, "ice2", "users") == 2  # its own two


def test_a_connection_that_does_not_say_for_whom_it_acts_sees_nothing(
    postgres: Engine, world: dict[str, str]
) -> None:
    """psql as the application's role, without the setting the desk makes: the wall is shut."""
    raw = create_engine(
        owner_url(postgres.url.render_as_string(hide_password=False)),
        connect_args={"options": f"-c role={APP_ROLE}"},
    )
    try:
        with raw.connect() as db:
            for table in ("persons", "instruments", "cases", "users", "custodies"):
                assert _count(db, table) == 0
            # Acting for every agency, as the worker does, it sees every row.
            db.execute(text("SELECT set_config('lexdesk.agency', '*', true)"))
            assert db.execute(select(func.count()).select_from(orm.persons)).scalar_one() == 2
    finally:
        raw.dispose()


def test_a_request_acts_for_its_users_agency_in_every_transaction_it_opens(
    desk: Desk, postgres: Engine, world: dict[str, str]
) -> None:
    """The scope a request or command opens carries the agency to the transactions after the
    one that learnt it (the web authenticates in one and reads in others), and no further."""

    with acting_agency.scope():
        accounts.principal_at_command_line(desk, "ice2-officer")
        assert _visible_in_scope(postgres) == ("ice2", 0)
    assert _visible_in_scope(postgres) == ("*", 2)


def test_a_request_made_with_an_api_token_acts_for_the_tokens_agency(
    desk: Desk, postgres: Engine, world: dict[str, str]
) -> None:
    secret, _ = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("ice2", "case system", ("cases:read",))
    )
    with SqlUnitOfWork(postgres, FakeClock()) as uow:
        before = uow.connection.execute(text("SELECT current_setting('lexdesk.agency')"))
        assert before.scalar_one() == "*"
    with acting_agency.scope():
        api_tokens.verify_api_token(desk, secret, "cases:read", "test")
        assert _visible_in_scope(postgres) == ("ice2", 0)
    assert _visible_in_scope(postgres) == ("*", 2)


def _visible_in_scope(engine: Engine) -> tuple[str, int]:
    with SqlUnitOfWork(engine, FakeClock()) as uow:
        db = uow.connection
        acting = db.execute(text("SELECT current_setting('lexdesk.agency')")).scalar_one()
        return acting, _count(db, "persons")


def test_a_detainer_is_lodged_about_a_person_the_requester_cannot_otherwise_see(
    desk: Desk, postgres: Engine
) -> None:
    """Lodging names a person a jail holds: the one lookup made across the wall, by the exact
    key at the named custodian (``services.instrument_access.find_person``)."""
    held = book(desk, "33333333C")
    assert _visible(postgres, "ice2", "persons") == 0
    detainer(desk, held)
    assert _visible(postgres, "ice", "persons") == 1

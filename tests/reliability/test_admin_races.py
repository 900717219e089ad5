"""Two administrators' changes at the same instant on PostgreSQL never leave an agency without
an active administrator (docs/adr/0013-separation-of-duties.md): each transaction reads the
agency's users under a row lock, so the second sees what the first did. SQLite serialises
writers (ADR 0001), so this runs on PostgreSQL only."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import account_admin, agencies, role_grants
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from tests.reliability.support import desk_on
from tests.reliability.test_races import held_after, together


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: two transactions cannot race (ADR 0001)")
    return engine


def _two_admins(engine: Engine) -> Desk:
    desk = desk_on(engine)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    for name in ("doc-admin-a", "doc-admin-b"):
        agencies.add_user(desk, agencies.AddUser(name, "doc", "An Admin", ("admin",)))
    return desk


def _active_admins(engine: Engine) -> list[str]:
    with engine.connect() as db:
        rows = db.execute(select(orm.users.c.username, orm.users.c.roles, orm.users.c.active))
        return sorted(r.username for r in rows if r.active and "admin" in r.roles)


def test_two_administrators_disabled_at_once_leave_one(postgres: Engine) -> None:
    desk = _two_admins(postgres)
    with held_after(postgres, "FROM users"):
        results = together(
            lambda: account_admin.disable_user(desk, AccountCommand("doc-admin-a")),
            lambda: account_admin.disable_user(desk, AccountCommand("doc-admin-b")),
        )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], InvalidInput), results
    assert "last active administrator" in str(refused[0])
    assert len(_active_admins(postgres)) == 1


def test_two_admin_roles_taken_away_at_once_leave_one(postgres: Engine) -> None:
    desk = _two_admins(postgres)

    def demote(name: str) -> object:
        command = role_grants.ChangeRoles(name, ("auditor",))
        return role_grants.change_roles(desk, command)

    with held_after(postgres, "FROM users"):
        results = together(lambda: demote("doc-admin-a"), lambda: demote("doc-admin-b"))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], InvalidInput), results
    assert len(_active_admins(postgres)) == 1

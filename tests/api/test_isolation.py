"""Agency isolation (security.md row 1; ASVS 8.2.2, 8.4.1; API1): every route that takes an id,
called by every role of every kind of agency about objects of other agencies, answers exactly
as it does for an id that does not exist — 404 where the role holds the permission, 403 where
it does not (which says nothing about the object either) — returns no data and changes nothing.
Built from the application's own route list, so a new route joins the matrix by itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.domain.administration import RoleGrant
from lexdesk.domain.agencies import Role
from lexdesk.domain.permissions import Permission, granted
from lexdesk.entrypoints.api import api_routes, declared_permission
from tests.api.world import ROLES, SIDE_A, World
from tests.databases import owner_url

#: Routes whose id names no agency's private object: the directory of agencies, which every
#: agency needs to address the others, and the published transparency reports, public.
DIRECTORY = {"get_agency", "get_published_report", "download_published_report"}
#: A body that passes validation, so that the request reaches the lookup.
BODIES: dict[str, dict[str, Any]] = {
    "acknowledge_instrument": {},
    "determine_instrument": {"outcome": "complied", "reason": "Trying."},
    "escalate_instrument": {"reason": "Trying."},
    "withdraw_instrument": {"reason": "Trying."},
    "change_roles": {"roles": ["officer", "legal"]},
    "approve_role_grant": {},
    "refuse_role_grant": {},
    "record_service": {
        "method": "mail",
        "served_by": "A process server",
        "served_at": "2020-01-16T15:00:00Z",
    },
}
MISSING = {
    "instrument_id": "ins-0000000000000000",
    "case_id": "cas-0000000000000000",
    "person_id": "per-0000000000000000",
    "username": "nobody-here",
    "subscription_id": "whk-0000000000000000",
    "grant_id": "rg-0000000000000000",
    "attachment_id": "att-0000000000000000",
}


def foreign_ids(world: World) -> dict[str, list[str]]:
    if not hasattr(world, "b_webhook"):
        from lexdesk.services import notifications

        made, _ = notifications.add_subscription(
            world.built.desk, "ice-b-admin", "https://hooks.b.example/lexdesk", []
        )
        world.b_webhook = made  # type: ignore[attr-defined]
    if not hasattr(world, "b_attachment"):
        from lexdesk.services import attachments
        from lexdesk.services.accounts import principal_at_command_line

        served = principal_at_command_line(world.built.desk, "ice-b-officer")
        world.b_attachment = attachments.add(  # type: ignore[attr-defined]
            world.built.desk, served, world.b.subpoena, "served.pdf", b"%PDF-1.7\n", source="test"
        ).id
    return {
        "attachment_id": [world.b_attachment],  # type: ignore[attr-defined]
        "subscription_id": [world.b_webhook],  # type: ignore[attr-defined]
        "instrument_id": list(world.b.instruments),
        "case_id": [world.b.case, world.b.detainer_case],
        "person_id": [world.b.person],
        "username": ["doc-b-officer", "ice-b-admin"],
        "grant_id": [_foreign_grant(world)],
    }


def _foreign_grant(world: World) -> str:
    """A role grant of the other side that waits for its second administrator."""
    with world.built.desk.uow() as uow:
        waiting = uow.users.grants_of("doc-b", "pending")
        if waiting:
            return waiting[0].id
        user = uow.users.by_username("doc-b-officer")
        assert user is not None
        grant = RoleGrant(
            id="rg-00000000000000bb",
            agency_id="doc-b",
            user_id=user.id,
            username=user.username,
            roles=frozenset({Role.LEGAL}),
            requested_by="doc-b-admin",
            requested_at=world.clock.now(),
        )
        uow.users.add_grant(grant)
        uow.commit()
    return grant.id


def id_routes(world: World) -> list[tuple[str, str, str, str]]:
    """(method, path, parameter, route name) for every API route that takes an id."""
    found = []
    for path, methods, route in api_routes(world.client.app.routes):  # type: ignore[attr-defined]
        params = re.findall(r"{(\w+)}", path)
        if not params or route.name in DIRECTORY:
            continue
        assert len(params) == 1 and params[0] in MISSING, f"new id parameter in {path}"
        found.extend((method, path, params[0], route.name) for method in methods)
    return found


#: A file that passes validation, for the routes that take one.
FILES = {"add_attachment": {"file": ("served.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")}}


def call(world: World, user: str, method: str, path: str, name: str) -> Any:
    if name in FILES:
        return world.client.request(method, path, files=FILES[name], headers=world.auth(user))
    return world.client.request(method, path, json=BODIES.get(name), headers=world.auth(user))


#: What a refused request writes by design: its audit entry (chained by the sequencer), and
#: the caller's session, whose last use it moves on.
BOOKKEEPING = {"audit_log", "audit_pending", "sessions"}


def stored_rows(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the bookkeeping, as the database's owner reads them (the
    application's role sees, outside a request, nothing of an agency-scoped table)."""
    url = owner_url(world.built.engine.url.render_as_string(hide_password=False))
    owner = create_database_engine(url)
    try:
        with owner.connect() as db:
            return {
                table.name: sorted(map(tuple, db.execute(select(table))), key=repr)
                for table in orm.metadata.sorted_tables
                if table.name not in BOOKKEEPING
            }
    finally:
        owner.dispose()


@pytest.mark.slow(seconds=200)
def test_no_route_shows_or_changes_another_agencys_objects(world: World) -> None:
    foreign_ids(world)  # the other side's objects made, before the picture is taken
    before, checked = stored_rows(world), 0
    assert before["instruments"] and before["persons"]  # read as the owner, not an empty view
    routes = id_routes(world)
    assert len(routes) >= 13
    for method, path, param, name in routes:
        route_permission = Permission(
            next(declared_permission(r) for p, m, r in _named(world, name))
        )
        for agency in SIDE_A:
            for role in ROLES:
                user = f"{agency}-{role}"
                missing = call(
                    world, user, method, path.replace(f"{{{param}}}", MISSING[param]), name
                )
                expected = 404 if granted(frozenset({Role(role)}), route_permission) else 403
                assert missing.status_code == expected, (user, name, missing.text)
                for key in foreign_ids(world)[param]:
                    answer = call(world, user, method, path.replace(f"{{{param}}}", key), name)
                    assert answer.status_code == expected, (user, name, key, answer.text)
                    assert answer.json() == _same(missing.json(), MISSING[param], key)
                    checked += 1
    assert checked > 500
    after = stored_rows(world)
    changed = {
        name: ([r for r in rows if r not in after[name]], [r for r in after[name] if r not in rows])
        for name, rows in before.items()
        if after[name] != rows
    }
    assert changed == {}  # table: (rows gone, rows come)


def test_each_side_still_sees_its_own(world: World) -> None:
    """The matrix above is not vacuous: the same routes answer the agencies that take part."""
    a, get = world.a, world.client.get
    assert get(f"/api/v1/instruments/{a.detainer}", headers=world.auth("ice-officer")).is_success
    assert get(f"/api/v1/instruments/{a.referral}", headers=world.auth("usao-legal")).is_success
    assert get(f"/api/v1/cases/{a.case}", headers=world.auth("court-officer")).is_success
    assert get(f"/api/v1/persons/{a.person}", headers=world.auth("doc-officer")).is_success
    assert get(f"/api/v1/persons/{a.person}", headers=world.auth("ice-officer")).status_code == 404
    released = get(f"/api/v1/persons/{a.person}/disclosures", headers=world.auth("ice-legal"))
    assert released.json()["fields"] == {
        "release_date": "2020-03-02T14:00:00+00:00",
        "home_address": "1 Fictional Way",  # produced under the court order, to ICE
    }


def test_lists_hold_only_the_agencys_own_rows(world: World) -> None:
    b_ids = set(world.b.instruments) | {world.b.case, world.b.detainer_case}
    for agency in SIDE_A:
        auth = world.auth(f"{agency}-officer")
        for box in ("received", "sent"):
            page = world.client.get("/api/v1/instruments", params={"box": box}, headers=auth)
            assert not {row["id"] for row in page.json()["items"]} & b_ids
            assert all(agency in (r["issuer"], r["addressee"]) for r in page.json()["items"])
        cases = world.client.get("/api/v1/cases", headers=auth).json()["items"]
        # The detainer's case closed with its answer; the request's opened after it.
        own = {world.a.case} | ({world.a.detainer_case} if agency in ("ice", "doc") else set())
        assert {c["id"] for c in cases} == own


def _same(body: dict[str, Any], missing: str, key: str) -> dict[str, Any]:
    return {name: str(value).replace(missing, key) for name, value in body.items()}


def _named(world: World, name: str) -> list[Any]:
    return [r for r in api_routes(world.client.app.routes) if r[2].name == name]  # type: ignore[attr-defined]

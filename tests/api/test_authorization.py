"""Function-level authorization (security.md rows 2, 14): every route declares a permission, the
roles table decides, tokens carry scopes, and every refusal is on the audit trail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.domain.agencies import Role
from lexdesk.domain.permissions import ROLE_PERMISSIONS, TOKEN_SCOPES, Permission, granted
from lexdesk.entrypoints.api import api_routes, declared_permission
from lexdesk.services import api_tokens
from tests.api.world import ROLES, World

PRIVILEGED = {Permission.USER_ADMIN, Permission.AUDIT_READ}


def test_every_route_declares_a_permission_that_the_table_knows(world: World) -> None:
    routes = api_routes(world.client.app.routes)  # type: ignore[attr-defined]
    assert len(routes) >= 25
    for path, methods, route in routes:
        declared = declared_permission(route)
        assert declared is not None, f"{methods} {path} declares no permission"
        assert declared == "public" or declared in {p.value for p in Permission}
    public = {route.name for _, _, route in routes if declared_permission(route) == "public"}
    assert public == {
        "sign_in_password",
        "sign_in_enrolment",
        "sign_in_code",
        "sign_out",
        "health",
        "list_published_reports",
        "get_published_report",
        "download_published_report",
        "verify_document",
        "get_case_exchange_schema",
    }
    schema = world.client.get("/api/v1/openapi.json").json()
    for operations in schema["paths"].values():
        assert all("x-permission" in op for op in operations.values())


def test_the_table_covers_every_role_and_permission() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(TOKEN_SCOPES) == set(Permission)
    assert all(any(p in held for held in ROLE_PERMISSIONS.values()) for p in Permission)


def test_privileged_routes_refuse_every_other_role_with_403(world: World) -> None:
    for path, methods, route in api_routes(world.client.app.routes):  # type: ignore[attr-defined]
        declared = declared_permission(route)
        if declared not in PRIVILEGED:
            continue
        concrete = path.replace("{username}", "doc-officer")
        for role in ROLES:
            if granted(frozenset({Role(role)}), Permission(declared)):
                continue
            for method in methods:
                answer = world.client.request(method, concrete, headers=world.auth(f"doc-{role}"))
                assert answer.status_code == 403, (role, method, path, answer.text)
                assert set(answer.json()) == {"detail"}


def test_without_a_credential_or_with_a_forged_one_every_route_says_401(world: World) -> None:
    for path, methods, route in api_routes(world.client.app.routes):  # type: ignore[attr-defined]
        if declared_permission(route) == "public":
            continue
        concrete = path.replace("{username}", "doc-officer")
        for key, value in (("case_id", "cas-"), ("instrument_id", "ins-"), ("person_id", "per-")):
            concrete = concrete.replace(f"{{{key}}}", value + "0" * 16)
        concrete = concrete.replace("{agency_id}", "doc")
        for method in methods:
            for headers in (
                {},
                {"Authorization": "Bearer forged"},
                {"Authorization": "Bearer lxd_x"},
            ):
                answer = world.client.request(method, concrete, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers, answer.text)
                assert answer.headers["www-authenticate"] == "Bearer"


def test_api_tokens_read_within_their_scopes_and_change_nothing(world: World) -> None:
    secret, _ = api_tokens.create_api_token(
        world.built.desk,
        api_tokens.CreateApiToken("ice", "case system", ("instruments:read",), timedelta(days=1)),
    )
    auth = {"Authorization": f"Bearer {secret}"}
    mine = world.client.get(f"/api/v1/instruments/{world.a.detainer}", headers=auth)
    assert mine.status_code == 200 and mine.json()["issuer"] == "ice"
    theirs = world.client.get(f"/api/v1/instruments/{world.b.detainer}", headers=auth)
    assert theirs.status_code == 404
    assert world.client.get(f"/api/v1/cases/{world.a.case}", headers=auth).status_code == 403
    body = {"reason": "Not any more."}
    withdraw = f"/api/v1/instruments/{world.a.detainer}/withdrawal"
    assert world.client.post(withdraw, json=body, headers=auth).status_code == 403


def test_refusals_are_on_the_audit_trail_with_the_client_address(world: World) -> None:
    world.client.get("/api/v1/audit/entries")
    world.client.get("/api/v1/audit/entries", headers=world.auth("ice-officer"))
    world.client.get(f"/api/v1/cases/{world.b.case}", headers=world.auth("ice-officer"))
    table = orm.audit_log
    with world.built.engine.connect() as db:
        rows = list(db.execute(select(table).order_by(table.c.seq.desc()).limit(3)))
    hidden, forbidden, anonymous = rows
    assert (anonymous.actor, anonymous.outcome) == ("anonymous", "failure")
    assert (forbidden.actor, forbidden.outcome, forbidden.agency) == (
        "ice-officer",
        "denied",
        "ice",
    )
    assert (hidden.object_id, hidden.outcome, hidden.detail["status"]) == (
        world.b.case,
        "denied",
        404,
    )
    assert {row.source for row in rows} == {"testclient"}

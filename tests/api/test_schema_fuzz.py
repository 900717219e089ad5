"""Schema-driven fuzzing (security.md row 23; CJIS SI-10): schemathesis sends at least 100
generated requests to every operation, signed in as a user who holds every role of a custodial
agency and who confirmed it's them (the clock stands still, so the confirmation never goes
stale), on a seeded SQLite desk. No answer may be a server error or break the schema (status,
content type, headers, body). Valid-looking ids are swapped for real ones half the time, so the
operations reach real objects, not only 404s.

The schema and the server must agree (ST202): a request the generator made to fit the schema
may be refused by the law, the instrument's state or a missing object (403, 404, 409, 412, a
422 with no field errors: the contract says so), never as malformed. schemathesis's own
``positive_data_acceptance`` cannot tell the two 422s apart, so
``fitting_requests_are_not_refused_as_malformed`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.app import create_app
from lexdesk.services import accounts, agencies
from lexdesk.services.worker import Schedule, Worker
from tests.api.world import PASSWORD, World, build_world, confirm_as, sign_in_as, sqlite_url

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    world = build_world(sqlite_url(tmp_path_factory.mktemp("fuzz")), sign_in=False)
    roles = ("officer", "legal", "supervisor", "auditor", "admin")
    command = agencies.AddUser("doc-all", "doc", "Every role", roles)
    world.secrets["doc-all"] = accounts.add_account(world.built.desk, command, PASSWORD)[
        1
    ].totp_secret
    world.tokens["doc-all"] = sign_in_as(world, "doc-all")
    confirm_as(world, "doc-all")  # the privileged routes are fuzzed, not only refused
    # A desk in use has a worker; without one sweep the health check is rightly red (503).
    Worker(world.built.desk, {}, name="fuzz-worker", schedule=Schedule()).sweep()
    APP.state.lexdesk = world.built
    return world


#: The schema is read at collection, from an application whose database is not touched until
#: ``fuzz_world`` puts its seeded desk behind it (building an engine does not connect).
APP = create_app(build(Settings(database_url="sqlite:///:memory:")))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schemathesis.check
def fitting_requests_are_not_refused_as_malformed(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or response.status_code not in (400, 422):
        return
    if not meta.generation.mode.is_positive or any(
        part.mode.is_negative for part in meta.components.values()
    ):
        return  # a request meant to break the schema somewhere: refusing it is right
    if not _fits(case):
        return  # the generator's own slip (`if-match: 0`, a key its propertyNames forbid)
    body = response.json()
    malformed = body.get("errors") and body.get("refused_by", "schema") == "schema"
    if response.status_code == 400 or malformed:
        raise AssertionError(
            f"the schema allows this request, the server refused it as malformed: "
            f"{response.status_code} {body.get('detail')} {body.get('errors')}"
        )


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_breaks_the_api(case: Any, fuzz_world: World) -> None:
    _reach_real_objects(case, fuzz_world)
    signing_out = case.method.upper() == "DELETE" and case.path.endswith("/session")
    headers = {} if signing_out else fuzz_world.auth("doc-all")
    case.call_and_validate(
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[fitting_requests_are_not_refused_as_malformed],
    )


def _fits(case: Any) -> bool:
    """Whether every path, query and header value and a JSON body really fit their schemas:
    the generator misses a few keywords (patterns in its coverage phase, ``propertyNames``),
    and a request it wrongly took for valid is no disagreement of ours."""
    components = {"components": case.operation.schema.raw_schema.get("components", {})}

    def fits(schema: dict[str, Any], value: Any) -> bool:
        return bool(Draft202012Validator({**schema, **components}).is_valid(value))

    sent = {
        "path": case.path_parameters or {},
        "query": case.query or {},
        "header": {k.lower(): v for k, v in (case.headers or {}).items()},
    }
    operation = case.operation.definition.raw
    for parameter in operation.get("parameters", []):
        where, name = parameter["in"], parameter["name"]
        values = sent.get(where, {})
        key = name.lower() if where == "header" else name
        if key in values and not fits(parameter["schema"], values[key]):
            return False
    content = operation.get("requestBody", {}).get("content", {})
    if case.media_type == "application/json" and "application/json" in content:
        return fits(content["application/json"]["schema"], case.body)
    return True


def _reach_real_objects(case: Any, world: World) -> None:
    """Only a request that fits the schema is pointed at real objects: one meant to break it
    must stay broken."""
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return
    real = {
        "instrument_id": (world.a.detainer, world.a.order, world.a.subpoena),
        "case_id": (world.a.case,),
        "person_id": (world.a.person,),
        "username": ("doc-officer", "doc-legal"),
        "agency_id": ("doc", "ice"),
    }
    for name, value in list((case.path_parameters or {}).items()):
        if name in real and isinstance(value, str) and len(value) % 2 == 0:
            choices = real[name]
            case.path_parameters[name] = choices[len(value) % len(choices)]


def test_the_fuzzed_user_was_really_signed_in(fuzz_world: World) -> None:
    who = fuzz_world.client.get("/api/v1/session", headers=fuzz_world.auth("doc-all"))
    assert who.status_code == 200 and len(who.json()["roles"]) == 5
    assert Path(str(fuzz_world.built.engine.url.database)).exists()

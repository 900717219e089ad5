"""Schema-driven fuzzing (security.md row 23; CJIS SI-10): schemathesis sends at least 100
generated requests to every operation, signed in as a user who holds every role of a custodial
agency and who confirmed it's them (the clock stands still, so the confirmation never goes
stale), on a seeded SQLite desk. No answer may be a server error or break the schema (status,
content type, headers, body). Valid-looking ids are swapped for real ones half the time, so the
operations reach real objects, not only 404s.

``positive_data_acceptance`` is left out on purpose: the schema cannot say everything the
business refuses (a reason of blanks, a kind filed out of turn, an unknown agency), and those
refusals are 4xx with a message, which is right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
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


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_breaks_the_api(case: Any, fuzz_world: World) -> None:
    _reach_real_objects(case, fuzz_world)
    signing_out = case.method.upper() == "DELETE" and case.path.endswith("/session")
    headers = {} if signing_out else fuzz_world.auth("doc-all")
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])


def _reach_real_objects(case: Any, world: World) -> None:
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

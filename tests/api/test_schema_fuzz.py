"""Schema-driven fuzzing (security.md row 23; CJIS SI-10): schemathesis sends generated
requests to every operation, 100 examples each (``LEXDESK_API_FUZZ_EXAMPLES``;
``scripts/fuzz_api.py --examples 1000`` runs the nightly count), signed in as a user who holds
every role of a custodial agency and who confirmed it's them, on a seeded SQLite desk
(``fuzzing.py``). No answer may be a server error or break the schema (status, content type,
headers, body), and no request that fits the schema may be refused as malformed (ST202). Valid-
looking ids are swapped for real ones half the time, so the operations reach real objects, not
only 404s. ``test_schema_stateful.py`` walks chains of operations along the document's links.
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
from tests.api.fuzzing import (
    CUSTODIAN,
    build_fuzz_world,
    count_requests,
    every_header_sent_is_documented,
    examples,
    fitting_requests_are_not_refused_as_malformed,
    reach_real_objects,
)
from tests.api.world import World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_fuzz_world(tmp_path_factory.mktemp("fuzz"))


#: The schema is read at collection, from an application whose database is never touched
#: (building an engine does not connect); the requests go to ``fuzz_world``'s own application
#: (``app=``), whose middleware holds the seeded desk.
APP = create_app(build(Settings(database_url="sqlite:///:memory:")))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
count_requests(schema, "per_operation")


@schema.parametrize()
@settings(
    max_examples=examples("API_FUZZ_EXAMPLES", 100),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_breaks_the_api(case: Any, fuzz_world: World) -> None:
    reach_real_objects(case, fuzz_world)
    signing_out = case.method.upper() == "DELETE" and case.path.endswith("/session")
    headers = {} if signing_out else fuzz_world.auth(CUSTODIAN)
    case.call_and_validate(
        headers=headers,
        app=fuzz_world.client.app,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[
            fitting_requests_are_not_refused_as_malformed,
            every_header_sent_is_documented,
        ],
    )


def test_the_fuzzed_user_was_really_signed_in(fuzz_world: World) -> None:
    who = fuzz_world.client.get("/api/v1/session", headers=fuzz_world.auth(CUSTODIAN))
    assert who.status_code == 200 and len(who.json()["roles"]) == 5
    assert Path(str(fuzz_world.built.engine.url.database)).exists()

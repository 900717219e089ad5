"""Stateful schema fuzzing (security.md row 23): schemathesis's state machine
(``schema.as_state_machine()``) walks chains of operations along the OpenAPI document's links
(``contract.LINKS``: an instrument issued, then read, acknowledged, determined, escalated; a
person booked, then read; a user added, then managed) and those it infers from the schemas,
each step a request generated to fit the schema, the ids taken from the answers before.

The immigration agency's user issues, escalates and withdraws; the custodial agency's user does
everything else (acknowledges, determines, books, administers), both holding every role and
confirmed (``fuzzing.py``). The checks are those of the per-operation run: no server error, every
answer as the schema says (status, content type, headers, body), no request that fits the
schema refused as malformed (ST202); and the stateful ones: a resource just created can be read
(``ensure_resource_availability``), nothing removed is still served (``use_after_free``).

Bounded so that it costs about a minute: ``LEXDESK_API_STATEFUL_EXAMPLES`` scenarios (25) of at
most ``LEXDESK_API_STATEFUL_STEPS`` steps (10); ``scripts/fuzz_api.py`` runs more.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, ClassVar

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lexdesk.bootstrap import build
from lexdesk.config import Settings
from lexdesk.entrypoints.api.contract import LINKS
from lexdesk.entrypoints.app import create_app
from tests.api.fuzzing import (
    CUSTODIAN,
    REQUESTER,
    build_fuzz_world,
    count_requests,
    every_header_sent_is_documented,
    examples,
    fitting_requests_are_not_refused_as_malformed,
    reach_real_objects,
)
from tests.api.world import World

pytestmark = pytest.mark.slow

#: What the immigration agency's user does; the custodial agency's user does the rest.
REQUESTERS_OPERATIONS = frozenset(
    {"issue_instrument", "escalate_instrument", "withdraw_instrument", "import_instruments"}
)
#: An information request to the custodian about the person it holds (``world.py``).
ISSUABLE = {
    "kind": "information_request",
    "addressee": "doc",
    "person": "nysid:12345679A",
    "actions": ["disclose:home_address"],
    "warrant": "none",
}

APP = create_app(build(Settings(database_url="sqlite:///:memory:")))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
count_requests(schema, "stateful")
# Chains are for requests that fit the schema; the per-operation run sends the ones that do not.
schema.config.generation.update(modes=[GenerationMode.POSITIVE])


SETTINGS = settings(
    max_examples=examples("API_STATEFUL_EXAMPLES", 25),
    stateful_step_count=examples("API_STATEFUL_STEPS", 10),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    # No shrinking: the desk's state outlives a scenario, so a replay would not see the same
    # answers (schemathesis's own default for its state machines).
    phases=[Phase.generate],
)


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_fuzz_world(tmp_path_factory.mktemp("stateful"))


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """The generated state machine, acting as the right user on the seeded desk."""

    world: ClassVar[World]
    #: (operationId, status) of every step of every scenario, for the summary.
    seen: ClassVar[Counter[tuple[str, int]]] = Counter()
    #: Every check that failed, with its request (``curl``) and answer.
    failures: ClassVar[list[str]] = []
    #: Scenarios started (each a new machine), and walks that ended early (below).
    runs: ClassVar[Counter[str]] = Counter()

    def setup(self) -> None:
        self.runs["scenarios"] += 1

    #: Steps that took a value from an earlier answer (a link followed): (operationId, status,
    #: whether schemathesis inferred the link rather than read it in the document).
    linked: ClassVar[Counter[tuple[str, int, bool]]] = Counter()

    def step(self, input: Any) -> Any:
        output = super().step(input)
        if input.transition is not None and input.is_applied:
            operation = input.case.operation.definition.raw.get("operationId", "")
            key = (operation, output.response.status_code, input.transition.is_inferred)
            self.linked[key] += 1
        return output

    def before_call(self, case: Any) -> None:
        reach_real_objects(case, self.world, keep_real_ids=True)
        operation = case.operation.definition.raw.get("operationId", "")
        # Three requests in four ask the custodian for what it may answer about the person it
        # holds, so that a chain goes on past the first refusal (the rest stay as generated).
        issuing = operation == "issue_instrument" and isinstance(case.body, dict)
        if issuing and len(json.dumps(case.body)) % 4 != 0:
            case.body.update(ISSUABLE)
            case.body.pop("return_date", None)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        operation = case.operation.definition.raw.get("operationId", "")
        user = REQUESTER if operation in REQUESTERS_OPERATIONS else CUSTODIAN
        signing_out = operation == "sign_out"  # never the fuzzing users' own sessions
        return {
            "headers": {} if signing_out else self.world.auth(user),
            "app": self.world.client.app,
        }

    def after_call(self, response: Any, case: Any) -> None:
        super().after_call(response, case)
        operation = case.operation.definition.raw.get("operationId", "")
        self.seen[operation, response.status_code] += 1

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        try:
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[
                    fitting_requests_are_not_refused_as_malformed,
                    every_header_sent_is_documented,
                ],
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )
        except Exception as failed:  # kept, in case a replay cannot reproduce it (below)
            self.failures.append(str(failed))
            raise


def test_chains_of_operations_keep_to_the_schema(fuzz_world: World) -> None:
    Workflow.world = fuzz_world
    Workflow.seen.clear()
    Workflow.linked.clear()
    Workflow.failures.clear()
    Workflow.runs.clear()
    wanted = SETTINGS.max_examples
    for walk in range(10):
        left = wanted - Workflow.runs["scenarios"]
        if left <= 0:
            break
        try:  # the first walk is the profile's (derandomized); any later one a random one
            Workflow.run(settings=settings(SETTINGS, max_examples=left, derandomize=not walk))
        except Flaky:
            # Hypothesis replayed the start of a scenario and it drew other steps: the desk's
            # state outlives a scenario and answered differently. That walk ends there (as
            # schemathesis's own runner ends it) and another one goes on; a check that failed
            # before is still reported, below.
            Workflow.runs["walks ended early"] += 1
    assert not Workflow.failures, "\n\n".join(Workflow.failures)

    seen, linked = Workflow.seen, Workflow.linked
    followed = Counter(
        ("inferred" if inferred else "declared", "2xx" if status < 300 else str(status))
        for (_, status, inferred), n in linked.items()
        for _ in range(n)
    )
    print(  # noqa: T201 (the -s report)
        f"stateful: {sum(seen.values())} steps over {len({op for op, _ in seen})} operations, "
        f"{sum(n for (_, s), n in seen.items() if s < 300)} answered 2xx; links followed: "
        f"{dict(followed)}; declared links followed to a 2xx: "
        f"{sorted({op for (op, s, inferred) in linked if s < 300 and not inferred})}; "
        f"{dict(Workflow.runs)}"
    )
    assert not any(status >= 500 for _, status in seen), seen
    # The chains really ran: something created was then acted on through a declared link, and
    # as the fuzzing users, who are still signed in with every role.
    assert any(s < 300 and not inferred for (_, s, inferred) in linked), (linked, seen)
    for username in (CUSTODIAN, REQUESTER):
        who = fuzz_world.client.get("/api/v1/session", headers=fuzz_world.auth(username))
        assert who.status_code == 200 and len(who.json()["roles"]) == 5, username


def test_the_links_name_real_operations_and_fields() -> None:
    """Every link of the served document names an operation that exists, supplies exactly that
    operation's path parameters, and points at a field of the producer's answer."""
    document = json.loads(json.dumps(APP.openapi()))  # as served, before schemathesis adds any
    ids = {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    schemas = document["components"]["schemas"]
    count = 0
    for producer in ids.values():
        for response in producer["responses"].values():
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            for name, link in response.get("links", {}).items():
                count += 1
                target = ids[link["operationId"]]
                assert name == link["operationId"]
                wanted = {
                    f"path.{p['name']}" for p in target.get("parameters", []) if p["in"] == "path"
                }
                assert set(link["parameters"]) == wanted, (producer["operationId"], name)
                answer = schemas[body["$ref"].rsplit("/", 1)[-1]]
                for expression in link["parameters"].values():
                    pointer = expression.removeprefix("$response.body#").split("/")[1:]
                    node = answer
                    for step in pointer:
                        node = node["properties"][step]
                        if "$ref" in node:
                            node = schemas[node["$ref"].rsplit("/", 1)[-1]]
                    assert node.get("type") == "string", (producer["operationId"], expression)
    assert count >= 100 and LINKS, count

"""What the schema fuzzing shares (``test_schema_fuzz.py`` operation by operation,
``test_schema_stateful.py`` along chains of operations): the seeded desk it runs against, with
a user of every role in the custodial and the immigration agency, signed in and confirmed; the
check that a request fitting the schema is never refused as malformed (ST202); and the
steering of generated values towards the desk's real objects.

The schema and the server must agree (ST202): a request the generator made to fit the schema
may be refused by the law, the instrument's state or a missing object (403, 404, 409, 412, a
422 with no field errors: the contract says so), never as malformed. schemathesis's own
``positive_data_acceptance`` cannot tell the two 422s apart, so
``fitting_requests_are_not_refused_as_malformed`` does.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import schemathesis
from jsonschema import Draft202012Validator

from lexdesk.entrypoints.api.headers import ON_EVERY_ANSWER
from lexdesk.services import accounts, agencies
from lexdesk.services.worker import Schedule, Worker
from tests.api.world import PASSWORD, World, build_world, confirm_as, sign_in_as, sqlite_url

#: The users the fuzzing acts as: every role of the custodial and of the immigration agency.
CUSTODIAN, REQUESTER = "doc-all", "ice-all"
ROLES = ("officer", "legal", "supervisor", "auditor", "admin")
#: An id the desk made (``ins-4f0c9a1e2b7d6e33``): taken from an answer, so left as it is.
REAL_ID = re.compile(r"[a-z]{2,5}-[0-9a-f]{16}")


def examples(name: str, default: int) -> int:
    """A count that ``scripts/fuzz_api.py`` (and a developer) can raise: ``LEXDESK_<NAME>``."""
    return int(os.environ.get(f"LEXDESK_{name}", default))


def count_requests(schema: Any, test: str) -> None:
    """When ``LEXDESK_API_FUZZ_LOG`` names a folder, write a line there for every request that
    the schema's cases send (operationId and status): how ``scripts/fuzz_api.py`` counts them."""
    folder = os.environ.get("LEXDESK_API_FUZZ_LOG")
    if not folder:
        return
    path = Path(folder) / f"{test}-{os.getpid()}.jsonl"

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        line = [case.operation.definition.raw.get("operationId"), response.status_code]
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def build_fuzz_world(folder: Path) -> World:
    """A seeded SQLite desk (``world.py``) with the two fuzzing users signed in and confirmed
    (the clock stands still, so the confirmation never goes stale: the privileged routes are
    fuzzed, not only refused), and a worker's sweep done (without one the health check is
    rightly red, 503)."""
    world = build_world(sqlite_url(folder), sign_in=False)
    for username, agency in ((CUSTODIAN, "doc"), (REQUESTER, "ice")):
        command = agencies.AddUser(username, agency, f"Every role ({agency})", ROLES)
        enrolment = accounts.add_account(world.built.desk, command, PASSWORD)[1]
        world.secrets[username] = enrolment.totp_secret
        world.tokens[username] = sign_in_as(world, username)
        confirm_as(world, username)
    Worker(world.built.desk, {}, name="fuzz-worker", schedule=Schedule()).sweep()
    return world


@schemathesis.check
def fitting_requests_are_not_refused_as_malformed(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or response.status_code not in (400, 422):
        return
    if not meta.generation.mode.is_positive or any(
        part.mode.is_negative for part in meta.components.values()
    ):
        return  # a request meant to break the schema somewhere: refusing it is right
    if not fits(case):
        return  # the generator's own slip (`if-match: 0`, a key its propertyNames forbid)
    body = response.json()
    malformed = body.get("errors") and body.get("refused_by", "schema") == "schema"
    if response.status_code == 400 or malformed:
        raise AssertionError(
            f"the schema allows this request, the server refused it as malformed: "
            f"{response.status_code} {body.get('detail')} {body.get('errors')}"
        )


@schemathesis.check
def every_header_sent_is_documented(ctx: Any, response: Any, case: Any) -> None:
    """A header the server sends must be in the contract, on that operation's answer of that
    status, unless every answer carries it (``headers.ON_EVERY_ANSWER``): a generated client
    knows only the headers the document names."""
    undocumented = undocumented_headers(
        case.operation.definition.raw, response.status_code, response.headers
    )
    if undocumented:
        raise AssertionError(
            f"{case.operation.definition.raw.get('operationId')} answered "
            f"{response.status_code} with headers the contract does not document there: "
            f"{', '.join(sorted(undocumented))}"
        )


def undocumented_headers(
    operation: dict[str, Any], status: int, headers: Iterable[str]
) -> list[str]:
    """The headers sent with an answer of ``operation`` that its entry for ``status`` does not
    document (none for a status the entry does not name: another check's business)."""
    answers = operation.get("responses", {})
    answer = answers.get(str(status)) or answers.get("default")
    if answer is None:
        return []
    documented = {name.lower() for name in answer.get("headers", {})}
    return sorted({name.lower() for name in headers} - documented - set(ON_EVERY_ANSWER))


def fits(case: Any) -> bool:
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


def reach_real_objects(case: Any, world: World, *, keep_real_ids: bool = False) -> None:
    """Point half of the requests that fit the schema at real objects (the other half stay
    random, mostly 404s). Only a request that fits is changed: one meant to break the schema
    must stay broken. ``keep_real_ids`` leaves alone an id the desk made (a link's value, from
    an earlier answer), and the fuzzing users' own accounts are never the target."""
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
        if name not in real or not isinstance(value, str):
            continue
        if name == "username" and value in (CUSTODIAN, REQUESTER):
            case.path_parameters[name] = "doc-officer"  # never disable or reset oneself
        elif keep_real_ids and REAL_ID.fullmatch(value):
            continue
        elif len(value) % 2 == 0:
            choices = real[name]
            case.path_parameters[name] = choices[len(value) % len(choices)]

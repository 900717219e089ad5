"""New requests from a requesting agency's system, in the exchange format (docs/exchange.md):
the document is checked against the published JSON Schema, each request against every rule
that issuing it would apply, and then all are issued in one unit of work, or none is.

A document that does not fit the schema is refused with what is wrong at each place in it; so
is one whose requests the desk would refuse (an unknown person, an agency of the wrong kind),
each at its own place. Nothing is written until every request passes; the requests are then
issued, with their audit entries and notifications, in one transaction: a refusal there (a
request that another writer's change makes wrong meanwhile) leaves nothing behind either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from lexdesk.domain import exchange
from lexdesk.domain.errors import (
    ConcurrencyConflict,
    InvalidInput,
    LexdeskError,
    NotFound,
    NotPermitted,
    OpenCaseRace,
)
from lexdesk.domain.exchange import Problem, Requested, pointer, refused
from lexdesk.domain.instruments import Instrument
from lexdesk.services import audit, instruments
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.instruments import CASE_RACE_TRIES, IssueInstrument

#: A document so wrong that more would not help: the first ones are reported.
MAX_PROBLEMS = 50


@cache
def _import_schema() -> Any:
    defs = exchange.schema()["$defs"]
    return Draft202012Validator({"$ref": "#/$defs/InstrumentImport", "$defs": defs})


def read_import(document: object) -> list[Requested]:
    """The requests of a document sent for import, or ExchangeRefused with what is wrong at
    each place (a JSON Pointer) that does not fit the schema."""
    problems: dict[str, Problem] = {}
    for error in _import_schema().iter_errors(document):
        for problem in _explained(error):
            problems.setdefault(problem.path, problem)
    if problems:
        raise refused(list(problems.values())[:MAX_PROBLEMS])
    assert isinstance(document, dict)
    return exchange.requested(document)


def _explained(error: ValidationError) -> Iterator[Problem]:
    """One problem per place, in words that say what to do."""
    steps = list(error.absolute_path)
    instance, schema = error.instance, error.schema
    named = list(schema.get("properties", {})) if isinstance(schema, dict) else []
    match error.validator:
        case "required" if isinstance(instance, dict):
            for name in error.validator_value:
                if name not in instance:
                    yield Problem(pointer(*steps, name), "is required: add it")
        case "additionalProperties" if isinstance(instance, dict):
            allowed = ", ".join(named) or "nothing"
            for name in instance:
                if name not in named:
                    yield Problem(
                        pointer(*steps, name),
                        f"is not part of the format here: remove it (allowed here: {allowed})",
                    )
        case "minProperties" | "maxProperties" if named:
            yield Problem(pointer(*steps), f"give exactly one of: {', '.join(named)}")
        case _:
            yield Problem(pointer(*steps), _said(error))


def _said(error: ValidationError) -> str:
    """What is wrong with one value, quoting at most a little of it."""
    rule, instance, schema = error.validator_value, error.instance, error.schema
    match error.validator:
        case "const":
            return f"must be {rule!r}"
        case "type":
            return f"{_short(instance)} is not of type {rule!r}"
        case "enum":
            return f"{_short(instance)} is not one of {rule!r}"
        case "pattern" if isinstance(schema, dict) and schema.get("description"):
            return f"{_short(instance)} does not fit: {schema['description']}"
        case "maxItems" | "maxLength":
            return f"is too long: at most {rule} (it has {len(instance)})"
        case "minItems" | "minLength":
            return f"is too short: at least {rule}"
        case "uniqueItems":
            return "holds the same value twice: remove the repeat"
    return _clip(str(error.message), 300)


def _short(value: object) -> str:
    return _clip(repr(value), 60)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


@dataclass(frozen=True)
class IssueMany:
    actor: str
    requests: tuple[Requested, ...]
    source: str = "cli"


def issue_many(desk: Desk, command: IssueMany) -> list[Instrument]:
    """Issue every request of a document, in order, in one unit of work; or none of them."""
    try:
        return _issue_many(desk, command)
    except LexdeskError as refusal:
        _record_refusal(desk, command, refusal)
        raise


def _issue_many(desk: Desk, command: IssueMany) -> list[Instrument]:
    commands = [_command(command, r) for r in command.requests]
    problems = []
    for request, one in zip(command.requests, commands, strict=True):
        try:
            instruments.preview_issue(desk, one)
        except OpenCaseRace:
            continue  # another request opened the case meanwhile: issuing joins it
        except (NotPermitted, ConcurrencyConflict):
            raise  # about the actor or the moment, not this request: the whole answer
        except LexdeskError as wrong:
            problems.append(Problem(_place(request, wrong), str(wrong)))
    if problems:
        raise refused(problems, "rules")
    for attempt in range(CASE_RACE_TRIES):
        try:
            with desk.uow() as uow:
                made = []
                for request, one in zip(command.requests, commands, strict=True):
                    try:
                        made.append(instruments.issue_within(desk, uow, one))
                    except (NotPermitted, ConcurrencyConflict):
                        raise
                    except LexdeskError as wrong:
                        problem = Problem(_place(request, wrong), str(wrong))
                        raise refused([problem], "rules") from wrong
                uow.commit()
            return made
        except OpenCaseRace:
            if attempt == CASE_RACE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _command(command: IssueMany, request: Requested) -> IssueInstrument:
    return IssueInstrument(
        command.actor,
        request.kind,
        request.addressee,
        request.person,
        request.actions,
        request.warrant,
        request.return_date,
        request.reference,
        request.reason,
        command.source,
    )


def _place(request: Requested, wrong: LexdeskError) -> str:
    """The element a refusal is about, as near as the refusal says."""
    if isinstance(wrong, NotFound):
        if wrong.what.startswith("person"):
            return request.at(exchange.PERSON)
        if wrong.what == "agency":
            return request.at(exchange.ADDRESSEE)
    if isinstance(wrong, InvalidInput) and str(wrong).startswith(f"{request.addressee} is "):
        return request.at(exchange.ADDRESSEE)
    return request.at(None)


def _record_refusal(desk: Desk, command: IssueMany, refusal: LexdeskError) -> None:
    """The refused document on record, as ``audit.records_denials`` puts a refused issue."""
    actor, behalf = audit_actor(desk, command.actor)
    audit.record_alone(
        desk,
        actor=actor,
        agency="",
        action="instrument.issue",
        object_type="instrument",
        object_id="",
        outcome="denied" if isinstance(refusal, NotPermitted | NotFound) else "failure",
        source=command.source,
        detail={
            "reason": str(refusal)[:1000],
            "refusal": type(refusal).__name__,
            "via": "exchange",
            "requests": len(command.requests),
            **behalf,
        },
    )

"""Fuzz target 3: the deadline parsers, ``DeadlinePolicy.from_json`` (an agency's stored
deadline settings) and ``DueDate.from_json`` (a stored due date). The first byte picks the
parser and the mode: raw JSON text, or a valid seed document changed in a few structured ways.

The contract: either ``InvalidInput`` (a ``LexdeskError``) or a valid value. A valid policy is
one that survives its own round trip (``to_json`` -> JSON text -> ``from_json``) and from which
every kind of instrument's due date can be computed (or refused with a ``LexdeskError``); each
due date computed must lie after the moment it counts from, be stored in UTC and survive its
round trip. A valid due date has its fields' types, survives its round trip, explains itself
and can be recomputed (or the recomputation refused with a ``LexdeskError``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

import atheris
from _support import json_value, mutate, run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.domain.calendar import calendar_for
    from lexdesk.domain.deadlines import (
        BUSINESS_DAYS,
        BUSINESS_HOURS,
        EXPECTED_RELEASE,
        HOLD_CLOCK_HOURS,
        HOLD_HOURS,
        SET_BY_ISSUER,
        DeadlinePolicy,
        DueDate,
        HoldBound,
        due_for,
    )
    from lexdesk.domain.errors import LexdeskError
    from lexdesk.domain.vocabulary import InstrumentKind

#: Issued on a Friday; the person's release and an issuer's return date later on.
START = datetime(2020, 1, 17, 15, 0, tzinfo=UTC)
RELEASE = datetime(2020, 3, 2, 14, 0, tzinfo=UTC)
RETURN = datetime(2020, 2, 20, 17, 0, tzinfo=UTC)
POLICIES: list[dict[str, Any]] = [
    {},
    DeadlinePolicy().to_json(),
    {
        "timezone": "America/Chicago",
        "state": "TX",
        "due_local_time": "09:30",
        "information_request_business_days": 5,
        "referral_business_days": 20,
        "detainer_hold_hours": 24,
        "detainer_counts_state_holidays": True,
    },
    {"timezone": "UTC", "state": None, "due_local_time": "23:59"},
    {"timezone": "America/Los_Angeles", "state": "ca", "referral_business_days": 1},
]
POLICY_KEYS = tuple(DeadlinePolicy().to_json())
DUES: list[dict[str, Any]] = []
for _policy in (DeadlinePolicy(), DeadlinePolicy.from_json(POLICIES[2])):
    for _kind in InstrumentKind:
        for _hold in (HoldBound(48), HoldBound(48, BUSINESS_HOURS, "8 CFR 287.7(d)", "us-fed")):
            _due = due_for(
                _kind,
                issued_at=START,
                policy=_policy,
                calendar=_policy.calendar,
                release_eligible_at=RELEASE,
                return_date=RETURN,
                now=START,
                hold=_hold,
            )
            if _due is not None and _due.to_json() not in DUES:
                DUES.append(_due.to_json())
DUE_KEYS = tuple(DUES[0])
#: The rules a due date is computed under (the module's docstring lists them).
RULES = frozenset({BUSINESS_DAYS, HOLD_CLOCK_HOURS, HOLD_HOURS, SET_BY_ISSUER, EXPECTED_RELEASE})
assert {due["rule"] for due in DUES} == RULES
TEXT_FIELDS = ("unit", "calendar", "citation", "label", "source")


def check_due(due: DueDate) -> None:
    """A due date that the desk could store, show and recompute."""
    assert isinstance(due, DueDate)
    for moment in (due.due_at, due.start):
        assert isinstance(moment, datetime) and moment.utcoffset() is not None, due
    assert isinstance(due.rule, str) and due.rule in RULES, due
    assert isinstance(due.timezone, str), due
    assert due.amount is None or (type(due.amount) is int and due.amount >= 0), due
    assert due.local_time is None or isinstance(due.local_time, time), due
    for name in TEXT_FIELDS:
        assert getattr(due, name) is None or isinstance(getattr(due, name), str), (name, due)
    for day, reason in due.skipped:
        assert type(day) is date and isinstance(reason, str), due
    stored = json.loads(json.dumps(due.to_json()))
    assert DueDate.from_json(stored) == due, (stored, due)
    assert isinstance(due.explain(), str)
    try:
        again = due.recompute(calendar_for("NY"))
    except LexdeskError:
        return
    assert isinstance(again, DueDate) and again.rule == due.rule, (due, again)


def check_policy(policy: DeadlinePolicy) -> None:
    """A policy that survives its round trip and gives every kind its due date."""
    assert isinstance(policy, DeadlinePolicy)
    stored = json.loads(json.dumps(policy.to_json()))
    assert DeadlinePolicy.from_json(stored) == policy, (stored, policy)
    for kind in InstrumentKind:
        try:
            due = due_for(
                kind,
                issued_at=START,
                policy=policy,
                calendar=policy.calendar,
                release_eligible_at=RELEASE,
                return_date=RETURN,
                now=START,
            )
        except LexdeskError:
            continue
        if due is None:
            continue
        assert due.due_at > START and due.due_at.utcoffset().total_seconds() == 0, (kind, due)
        check_due(due)


def parse_policy(document: Any) -> None:
    try:
        policy = DeadlinePolicy.from_json(document)
    except LexdeskError:
        return
    check_policy(policy)


def parse_due(document: Any) -> None:
    try:
        due = DueDate.from_json(document)
    except LexdeskError:
        return
    check_due(due)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode = data[0] % 4
    if mode in (0, 2):
        # The stored JSON text as the database hands it back, read as an object.
        try:
            document = json.loads(data[1:].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return
        if not isinstance(document, dict):
            return  # the parsers take a mapping; the columns hold JSON objects
    else:
        fdp = atheris.FuzzedDataProvider(data[1:])
        seeds, keys = (POLICIES, POLICY_KEYS) if mode == 1 else (DUES, DUE_KEYS)
        base = fdp.PickValueInList(seeds) if fdp.ConsumeIntInRange(0, 7) else json_value(fdp)
        document = mutate(base, fdp, keys)
        if not isinstance(document, dict):
            return
    if mode in (0, 1):
        parse_policy(document)
    else:
        parse_due(document)


if __name__ == "__main__":
    seeds = [b"\x00" + json.dumps(policy).encode() for policy in POLICIES]
    seeds += [b"\x02" + json.dumps(due).encode() for due in DUES]
    seeds += [bytes([mode]) + bytes(range(i, i + 16)) for mode in (1, 3) for i in (0, 16, 32)]
    run(test_one_input, seeds)

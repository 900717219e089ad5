"""The engine remembers table look-ups, record filters and hold limits per span of days on
which nothing they read changes. A table amended inside a version, and a hold limit that
changes inside one, must still be read on the day asked: answers on both sides of the change,
in either order, on a warm catalog, match those of a catalog built afresh for each request."""

from __future__ import annotations

from datetime import date
from typing import Any

from lexdesk.domain.rules import Catalog, evaluate

from ..rules.builders import HOLD_LIMIT, VERIFIED, catalog, pack, request, rule, table

AMENDED = table("TP 1") | {
    "entries": [
        *table("TP 1")["entries"],
        # Added to the list by an amendment in force from 1 July 2020, inside the version.
        {
            "offense": "TP 2",
            "name": "offense TP 2",
            "citation": "Test Penal Law § TP 2",
            "effective_from": date(2020, 7, 1),
            "verification": VERIFIED,
        },
    ]
}
HOLD_LIMITS = [
    HOLD_LIMIT | {"effective_to": date(2020, 6, 30)},
    HOLD_LIMIT | {"hours": 24, "effective_from": date(2020, 7, 1)},
]
DAYS = ("2020-06-15", "2020-07-15", "2020-06-30", "2020-07-01", "2020-06-15")


def _catalog() -> Catalog:
    return catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule(
                "LISTED",
                "permitted",
                exception_to=["BASE"],
                when={"conviction": {"table": "listed"}},
            ),
            tables={"listed": AMENDED},
            hold_limit=HOLD_LIMITS,
        )
    )


def _answer(rules: Catalog, day: str, offense: str) -> dict[str, Any]:
    convictions = [{"offense": offense, "date": "2019-01-01"}]
    return evaluate(rules, request(as_of=day, convictions=convictions)).to_json()


def test_an_amended_table_is_read_on_the_day_asked() -> None:
    warm = _catalog()
    for offense in ("TP 2", "TP 2(a)", "TP 1"):
        for day in DAYS:
            assert _answer(warm, day, offense) == _answer(_catalog(), day, offense)
    before, after = _answer(warm, "2020-06-30", "TP 2"), _answer(warm, "2020-07-01", "TP 2")
    assert before["actions"]["hold"]["status"] == "prohibited"
    assert after["actions"]["hold"]["status"] == "permitted"


def test_a_hold_limit_changed_inside_a_version_is_read_on_the_day_asked() -> None:
    warm = _catalog()
    hours = [_answer(warm, day, "TP 1")["actions"]["hold"]["hold_limit"]["hours"] for day in DAYS]
    assert hours == [48, 24, 48, 24, 48]

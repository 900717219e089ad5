"""The closed set of operations: what each one tests, and the five-year window."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lexdesk.domain.rules import evaluate

from .builders import catalog, pack, request, rule, table

WINDOW = {"conviction": {"table": "listed", "within_years": 5}}


def _holds(when: dict[str, Any], **req: Any) -> bool:
    """Whether ``when`` holds, read from which of a base and its exception decides."""
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when=when),
            tables={"listed": table("TP 1", "TP 2")},
        )
    )
    return evaluate(rules, request(**req)).status_of("hold") == "permitted"


def _conviction(on: str, released: str | None = None, offense: str = "TP 1") -> dict[str, str]:
    out = {"offense": offense, "date": on}
    return out | ({"released_on": released} if released else {})


@pytest.mark.parametrize(
    ("conviction", "holds"),
    [
        (_conviction("2014-11-20"), True),  # exactly five years before the arrest
        (_conviction("2014-11-19"), False),  # one day more
        (_conviction("2009-01-01", released="2014-11-20"), True),  # the window starts at release
        (_conviction("2009-01-01", released="2014-11-19"), False),
        (
            _conviction("2018-01-01", released="2017-01-01"),
            True,
        ),  # a release before conviction is ignored
        (_conviction("2018-01-01", offense="TP 9"), False),  # not listed
        (_conviction("2020-07-01"), False),  # after the evaluation date
    ],
)
def test_the_five_year_window_runs_back_from_the_arrest(
    conviction: dict[str, str], holds: bool
) -> None:
    assert _holds(WINDOW, arrested_on="2019-11-20", convictions=[conviction]) is holds


def test_without_an_arrest_date_the_window_runs_back_from_the_evaluation_date() -> None:
    assert _holds(WINDOW, as_of="2020-06-01", convictions=[_conviction("2015-06-01")])
    assert not _holds(WINDOW, as_of="2020-06-01", convictions=[_conviction("2015-05-31")])


def test_a_conviction_without_a_window_counts_at_any_time() -> None:
    assert _holds({"conviction": {"table": "listed"}}, convictions=[_conviction("1980-01-01")])


def test_a_table_entry_counts_only_while_it_is_in_force() -> None:
    rules = catalog(
        pack(
            "test-local",
            rule("BASE"),
            rule("EXC", "permitted", exception_to=["BASE"], when={"conviction": {"table": "late"}}),
            tables={"late": table("TP 1", effective_from=date(2020, 6, 1))},
        )
    )
    person = {"convictions": [_conviction("2019-01-01")]}
    assert evaluate(rules, request(as_of="2020-05-31", **person)).status_of("hold") == "prohibited"
    assert evaluate(rules, request(as_of="2020-06-01", **person)).status_of("hold") == "permitted"


def test_pending_charge() -> None:
    when = {"pending_charge": {"table": "listed"}}
    assert _holds(when, pending_charges=[{"offense": "TP 2", "date": "2020-05-01"}])
    assert not _holds(when, pending_charges=[{"offense": "TP 3", "date": "2020-05-01"}])


@pytest.mark.parametrize(
    ("when", "req", "holds"),
    [
        ({"fact": "person.tsdb_match"}, {"tsdb_match": True}, True),
        ({"fact": "person.tsdb_match"}, {}, False),
        ({"not": {"fact": "person.proof_of_status"}}, {}, True),
        (
            {"in": {"fact": "instrument.warrant", "values": ["judicial", "administrative"]}},
            {"warrant": "administrative"},
            True,
        ),
        (
            {"in": {"fact": "instrument.warrant", "values": ["judicial", "administrative"]}},
            {},
            False,
        ),
        (
            {"before": {"fact": "person.arrested_on", "date": date(2017, 9, 1)}},
            {"arrested_on": "2017-08-31"},
            True,
        ),
        (
            {"before": {"fact": "person.arrested_on", "date": date(2017, 9, 1)}},
            {"arrested_on": "2017-09-01"},
            False,
        ),
        ({"before": {"fact": "person.arrested_on", "date": date(2017, 9, 1)}}, {}, False),
        ({"on_or_after": {"fact": "as_of", "date": date(2020, 6, 1)}}, {}, True),
        (
            {"any": [{"fact": "person.prior_removal"}, {"fact": "person.illegal_reentry"}]},
            {"illegal_reentry": True},
            True,
        ),
        (
            {"all": [{"fact": "person.prior_removal"}, {"fact": "person.illegal_reentry"}]},
            {"illegal_reentry": True},
            False,
        ),
        (
            {
                "all": [
                    {"fact": "person.prior_removal"},
                    {"fact": "person.illegal_reentry"},
                    {"fact": "person.tsdb_match"},
                ]
            },
            {"prior_removal": True, "illegal_reentry": True, "tsdb_match": True},
            True,
        ),
    ],
)
def test_operations(when: dict[str, Any], req: dict[str, Any], holds: bool) -> None:
    assert _holds(when, **req) is holds


def test_a_leap_day_arrest_reaches_back_to_28_february() -> None:
    assert _holds(
        WINDOW,
        as_of="2020-03-02",
        arrested_on="2020-02-29",
        convictions=[_conviction("2015-02-28")],
    )
    assert not _holds(
        WINDOW,
        as_of="2020-03-02",
        arrested_on="2020-02-29",
        convictions=[_conviction("2015-02-27")],
    )

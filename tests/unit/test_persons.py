"""Offense codes are canonical strings, checked where a person's record is written."""

from __future__ import annotations

from datetime import date

import pytest

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.persons import Conviction, check_offense


@pytest.mark.parametrize(
    "code", ["NY PL 160.15", "CA PC 187", "TX PC 19.02", "US 8 USC 1326", "NY PL 110/125.25"]
)
def test_canonical_offense_codes_are_accepted(code: str) -> None:
    assert check_offense(code) == code


@pytest.mark.parametrize(
    "code", ["160.15", "ny pl 160.15", "NY PL", "NYPL160.15", "NY PL 160.15; DROP"]
)
def test_other_spellings_are_refused_with_an_example(code: str) -> None:
    with pytest.raises(InvalidInput, match=r"e\.g\. 'NY PL 160\.15'"):
        check_offense(code)


def test_a_release_before_the_conviction_is_refused() -> None:
    with pytest.raises(InvalidInput, match="precedes conviction"):
        Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "", date(2015, 1, 1))

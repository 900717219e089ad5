"""The document rules that need no database: codes, standing, the verdict's shape."""

from __future__ import annotations

import pytest

from lexdesk.domain.documents import (
    Result,
    Standing,
    Verdict,
    new_code,
    parse_code,
    standing_of,
)
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import InstrumentStatus


def test_a_code_is_three_groups_and_reads_back_however_it_is_typed() -> None:
    code = new_code()
    assert len(code) == 14 and code.count("-") == 2
    assert parse_code(code.lower().replace("-", " ")) == code
    assert parse_code("7k2m q9xd 4hrt") == "7K2M-Q9XD-4HRT"
    assert parse_code("OOOO-IIII-LLLL") == "0000-1111-1111"
    assert len({new_code() for _ in range(200)}) == 200


@pytest.mark.parametrize("typed", ["", "7K2M-Q9XD", "7K2M-Q9XD-4HRTX", "UUUU-UUUU-UUUU", "ABC!"])
def test_a_code_that_cannot_be_one_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="verification code"):
        parse_code(typed)


def test_the_standing_names_no_outcome_and_no_custody() -> None:
    assert standing_of(InstrumentStatus.ISSUED) is Standing.IN_FORCE
    assert standing_of(InstrumentStatus.ACKNOWLEDGED) is Standing.IN_FORCE
    assert standing_of(InstrumentStatus.ESCALATED) is Standing.SUPERSEDED
    assert standing_of(InstrumentStatus.WITHDRAWN) is Standing.WITHDRAWN
    assert standing_of(InstrumentStatus.LAPSED) is Standing.LAPSED
    # the person left custody: a fact about the person, which a stranger is not told
    assert standing_of(InstrumentStatus.MOOT) is Standing.CLOSED
    for answered in ("complied", "partially_complied", "declined", "contested", "granted",
                     "granted_narrowed", "denied"):  # fmt: skip
        assert standing_of(InstrumentStatus(answered)) is Standing.ANSWERED


def test_an_unknown_verdict_says_nothing_but_that() -> None:
    shown = Verdict(Result.UNKNOWN, by="code").to_json()
    assert shown == {"result": "unknown", "code": None, "kind": None, "issuer": None,
                     "issued_at": None, "standing": None, "by": "code"}  # fmt: skip

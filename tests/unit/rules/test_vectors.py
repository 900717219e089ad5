"""The vector files are as strict as the packs."""

from __future__ import annotations

import pytest

from lexdesk.domain.rules import PackError
from lexdesk.domain.rules.vectors import parse_vectors

GOOD = """\
pack: us-tx
vectors:
  - name: honored
    input:
      as_of: 2020-01-17
      instrument: {kind: detainer, actions: [hold]}
    expect:
      outcome: must_comply
      actions: {hold: {status: required, rule: TX-HOLD-01}}
"""


def _parse(text: str) -> None:
    parse_vectors(text, "us-tx/vectors.yaml", "us-tx")


def test_the_reference_file_parses_and_dates_become_json_text() -> None:
    (vector,) = parse_vectors(GOOD, "us-tx/vectors.yaml", "us-tx")
    assert vector.input == {
        "as_of": "2020-01-17",
        "instrument": {"kind": "detainer", "actions": ["hold"]},
        "pack": "us-tx",
    }
    assert vector.where == "us-tx/vectors.yaml:3: vectors[0]"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("pack: us-tx", "pack: us-ca", "pack: must name the pack beside it"),
        (
            "      outcome: must_comply",
            "      outcome: fine",
            "vectors[0].expect.outcome: unknown outcome 'fine'",
        ),
        (
            "      outcome: must_comply",
            "      outcome: must_comply\n      error: conflict",
            "vectors[0].expect: expect either an outcome or an error",
        ),
        (
            "      outcome: must_comply",
            "      outcome: must_comply\n      outcom: x",
            "vectors[0].expect.outcom: unknown key",
        ),
        ("status: required", "status: sure", "expect.actions.hold.status: unknown status 'sure'"),
        (
            "      as_of: 2020-01-17",
            "      as_of: 2020-01-17\n      pack: us-ca",
            "vectors[0].input.pack: vectors beside us-tx evaluate us-tx",
        ),
    ],
)
def test_vector_errors_name_file_line_and_key(old: str, new: str, message: str) -> None:
    with pytest.raises(PackError, match=r"^us-tx/vectors\.yaml:\d+: ") as raised:
        _parse(GOOD.replace(old, new, 1))
    assert message in str(raised.value)


def test_vector_names_are_unique() -> None:
    body = GOOD.split("vectors:\n", 1)[1]
    with pytest.raises(PackError, match="vector name 'honored' is used twice"):
        _parse(GOOD + body)

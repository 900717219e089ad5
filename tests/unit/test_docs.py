"""The docs say what the code does: the transition table and the ladder are checked here."""

from __future__ import annotations

import re
from pathlib import Path

from lexdesk.domain.lifecycle import ALL_KINDS, LADDER, TRANSITIONS, Party

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _between(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"docs/domain.md has no {name} block"
    return match.group(1)


def _rows(block: str) -> list[tuple[str, ...]]:
    lines = [line for line in block.splitlines() if line.startswith("|")][2:]
    return [tuple(cell.strip() for cell in line.strip("|").split("|")) for line in lines]


def _kinds(kinds: frozenset[object]) -> str:
    return "all" if kinds == ALL_KINDS else ", ".join(sorted(str(k) for k in kinds))


def test_the_transition_table_in_the_docs_is_the_one_in_the_code() -> None:
    documented = _rows(_between((DOCS / "domain.md").read_text(), "transitions"))
    in_code = [
        (t.name, t.source.value, t.target.value, _kinds(t.kinds), t.party.value)
        for t in TRANSITIONS
    ]
    assert documented == in_code


def test_the_ladder_in_the_docs_is_the_one_in_the_code() -> None:
    documented = _rows(_between((DOCS / "domain.md").read_text(), "ladder"))
    in_code = [
        (
            r.source.value,
            r.target.value,
            "the same issuer" if r.next_issuer is Party.ISSUER else "the addressee",
            f"{r.next_addressee.value} agency",
            r.authority,
        )
        for r in LADDER
    ]
    assert documented == in_code

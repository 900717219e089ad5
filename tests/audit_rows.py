"""The content every audit row must have (security.md row 15; CJIS AU-3, AU-3(1), AU-8;
ASVS 16.2.1, 16.2.2), checked wherever the suite builds its databases through the shared
fixtures (the storage, API, web-page and lawful tiers) and after the restore drill: they call
``check_audit_rows`` after each test, before the tables are emptied, so the test that wrote a
bad row is the one that fails. The browser, command-line and crash tiers write through processes
of their own and are not checked row by row.

``AUDIT_ROW_SCHEMA`` is a JSON-schema in spirit, in plain Python: each column's type, and a
pattern, a set of allowed values or a check it must pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.domain.audit import OUTCOMES
from lexdesk.services.audit import COMPONENTS


def _utc_hundredths(value: Any) -> bool:
    """UTC, to the hundredth of a second and no finer (CJIS AU-8)."""
    return (
        isinstance(value, datetime)
        and value.utcoffset() == timedelta(0)
        and value.microsecond % 10_000 == 0
        and value.tzinfo in (UTC, value.tzinfo)
    )


@dataclass(frozen=True)
class Rule:
    kind: type | tuple[type, ...]
    pattern: str | None = None
    allowed: frozenset[str] | None = None
    check: Callable[[Any], bool] | None = None

    def problem(self, value: Any) -> str | None:
        if not isinstance(value, self.kind) or (isinstance(value, bool) and self.kind is int):
            return f"is a {type(value).__name__}, not {self.kind}"
        if self.pattern is not None and not re.fullmatch(self.pattern, str(value)):
            return f"{value!r} does not match {self.pattern}"
        if self.allowed is not None and value not in self.allowed:
            return f"{value!r} is not one of {sorted(self.allowed)}"
        if self.check is not None and not self.check(value):
            return f"{value!r} fails {self.check.__name__}"
        return None


NAME = r"[a-z][a-z0-9_-]*"
HEX64 = r"[0-9a-f]{64}"
AUDIT_ROW_SCHEMA: dict[str, Rule] = {
    "seq": Rule(int, check=lambda seq: seq >= 1),
    "at": Rule(datetime, check=_utc_hundredths),
    "actor": Rule(str, r"\S.{0,99}"),
    "agency": Rule(str, r"[a-z0-9-]{0,63}"),
    "action": Rule(str, rf"{NAME}(\.{NAME})*"),
    "object_type": Rule(str, NAME),
    "object_id": Rule(str, r".{0,100}"),
    "outcome": Rule(str, allowed=OUTCOMES),
    "source": Rule(str, r"\S.{0,99}"),
    "detail": Rule(dict),
    "prev_hash": Rule(str, HEX64),
    "hash": Rule(str, HEX64),
    "component": Rule(str, allowed=COMPONENTS),
    "client": Rule(str, r"[^\x00-\x1f\x7f]{0,200}"),
    "receiving_agency": Rule(str, r"[a-z0-9,-]{0,63}"),
}


def row_problems(row: Mapping[str, Any]) -> list[str]:
    """What is wrong with one audit row, if anything. A success names its object; a refusal
    of someone unknown (a mistyped username, a forged token) may have none to name."""
    problems = [f"{name} missing" for name in AUDIT_ROW_SCHEMA if name not in row]
    for name, rule in AUDIT_ROW_SCHEMA.items():
        found = rule.problem(row[name]) if name in row else None
        if found:
            problems.append(f"{name} {found}")
    if row.get("outcome") == "success" and not row.get("object_id"):
        problems.append("object_id is empty on a success: name the object acted on")
    return problems


def check_audit_rows(engine: Engine, after: int = 0) -> int:
    """Fail the running test if an audit row after seq ``after`` breaks the schema; the last
    seq checked, to pass as ``after`` next time."""
    table = orm.audit_log
    with engine.connect() as db:
        rows = db.execute(select(table).where(table.c.seq > after).order_by(table.c.seq)).all()
    bad = [(row.seq, row_problems(row._asdict())) for row in rows]
    bad = [(seq, problems) for seq, problems in bad if problems]
    if bad:
        pytest.fail(f"audit rows without the required content: {bad[:5]}", pytrace=False)
    return rows[-1].seq if rows else after

"""How the database means to read the desk's lists, asked of its own planner on real SQLite and
PostgreSQL: every query that finds a page's rows, in every sort, view and filter of the
agencies whose lists grow (``GROWING``; but those read by assignment, ``BY_ASSIGNMENT``), from
the top of a list and from a cursor, walks an index in the list's order and stops after a
page. None orders the agency's whole list to find a page: that is what made a list's page cost
grow with the list (docs/benchmarks.md).

On SQLite the plan must not sort the rows it finds ("USE TEMP B-TREE FOR ORDER BY"). On
PostgreSQL the planner is told to avoid sorting and scanning whole tables at any cost; a
``Sort`` left in its plan is one it could not avoid: no index gives that order (an incremental
sort, which breaks the ties of an index's order a few rows at a time, is allowed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.queries import desk_lists
from lexdesk.queries.desk_lists import Filters, Reader

NOW = datetime(2026, 11, 30, 15, tzinfo=UTC)
#: What a cursor's keys read back from a row: a date for a date, an id for an id.
CURSOR_AT = {"due": NOW, "issued": NOW, "id": "ins-0000"}
FILTERS = (Filters(), Filters(status="issued"), Filters(kind="detainer"))
#: "My work" and "Unassigned" read each way a row comes to a person (``_sides``): a planner may
#: rightly read a person's few assignments and sort them, which a plan cannot tell from sorting
#: the whole list; their pages are measured instead (docs/benchmarks.md).
BY_ASSIGNMENT = {desk_lists.MY_WORK.key, desk_lists.UNASSIGNED.key}


#: The agencies whose lists grow with the nation's record. A prosecutor's referrals and a
#: court's petitions are read as their issuer shows them, by kinds few instruments are (about
#: one in a hundred of the national record): sorting one office's few thousand costs what a
#: page does, and an index of their own would cost every instrument's every write.
GROWING = (AgencyKind.CUSTODIAL, AgencyKind.IMMIGRATION)


def readers() -> list[Reader]:
    return [
        Reader(f"{kind.value}-1", kind, "user-1", NOW, ZoneInfo("America/New_York"), DEVELOPMENT)
        for kind in GROWING
    ]


def every_walk() -> list[tuple[str, Any]]:
    """Each query a page of any list may run to find its rows, named for the message."""
    found = []
    for reader in readers():
        for view in desk_lists.VIEWS[reader.agency_kind]:
            if view.key in BY_ASSIGNMENT:
                continue
            for sort in desk_lists.SORTS:
                for filters in FILTERS:
                    branches, cols, _ = desk_lists._query(reader, view, "", filters, bare=True)
                    for index, part in enumerate(desk_lists._parts(sort, cols, view, filters)):
                        if not part.possible:
                            continue
                        at = tuple(CURSOR_AT[_named(key.column)] for key in part.keys)
                        for values in (None, at):
                            name = f"{reader.agency_kind.value}/{view.key}/{sort}/{filters}/{index}"
                            name += " from a cursor" if values else ""
                            queries = desk_lists._walks(branches, part, values, True, 21)
                            found += [(name, query) for query in queries]
    return found


def _named(column: Any) -> str:
    if column.key == "id":
        return "id"
    return "issued" if column.key == "issued_at" else "due"


def test_every_page_walks_an_index_in_its_order(engine: Engine) -> None:
    walks = every_walk()
    assert len(walks) > 500  # every view, sort, filter and part: the test reads them all
    with engine.connect() as db:
        sorting = [name for name, query in walks if _sorts(db, query)]
    assert sorting == [], f"{len(sorting)} walks sort what they find, first: {sorting[:5]}"


def _sorts(db: Connection, query: Any) -> bool:
    compiled = query.compile(dialect=db.dialect, compile_kwargs={"render_postcompile": True})
    if db.dialect.name == "sqlite":
        params = tuple(_plain(compiled.params[name]) for name in compiled.positiontup)
        plan = db.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
        return any("TEMP B-TREE FOR ORDER BY" in row.detail for row in plan)
    db.exec_driver_sql("SET LOCAL enable_sort = off")
    db.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = db.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    nodes = json.dumps(plan if isinstance(plan, list) else json.loads(plan))
    return '"Node Type": "Sort"' in nodes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value

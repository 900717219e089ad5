"""The reads that every page of a person's instruments makes are served by an index, so that
they cost the same at a hundred releases and at a million: each one's plan, with sequential
scans priced out on PostgreSQL (tables are small here) and as SQLite makes it, names the
index. Found at 3,000,000 instruments, where the recipients of a person's releases were read
by scanning all 815,734 of them (100 ms and more on every audited read)."""

from __future__ import annotations

from sqlalchemy import Engine, Executable, text

from lexdesk.adapters.ledger_repository import recipients_about


def plan(engine: Engine, statement: Executable) -> str:
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with engine.connect() as db:
        if engine.dialect.name == "postgresql":
            db.execute(text("SET LOCAL enable_seqscan = off"))
            rows = db.execute(text(f"EXPLAIN {compiled}"))
        else:
            rows = db.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        return "\n".join(str(row[-1]) for row in rows)


def test_the_recipients_of_a_persons_releases_are_found_by_the_person(engine: Engine) -> None:
    found = plan(engine, recipients_about("per-0123456789abcdef"))
    assert "ix_release_recipients_person_id" in found, found

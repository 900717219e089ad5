"""The audit trail on real SQLite and PostgreSQL: written with its change or not at all,
append-only, serialised under concurrency, and checked by ``lexdesk audit verify``."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from lexdesk.adapters import orm
from lexdesk.adapters.audit_repository import SqlAuditRepository
from lexdesk.adapters.repository import SqlCaseRepository
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.audit import Checkpoint, verify_checkpoint
from lexdesk.services import audit
from lexdesk.services.context import Desk
from tests.databases import audit_protection_lifted
from tests.factories import book, declined, detainer, seed_agencies
from tests.fakes import FakeClock, FakeRuleBook


@pytest.fixture
def desk(engine: Engine) -> Desk:
    clock = FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC))
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


def _actions(engine: Engine) -> list[str]:
    with engine.connect() as db:
        return list(db.scalars(select(orm.audit_log.c.action).order_by(orm.audit_log.c.seq)))


def test_each_change_is_one_entry_and_the_chain_verifies(desk: Desk, engine: Engine) -> None:
    first = detainer(desk, book(desk))
    declined(desk, first)
    assert _actions(engine)[15:] == [
        "person.book",
        "instrument.issue",
        "instrument.acknowledge",
        "instrument.determine",
    ]
    result = audit.verify(desk)
    assert result.ok and result.checked == 19


def test_a_rolled_back_change_leaves_no_entry_and_no_entry_no_change(
    desk: Desk, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = book(desk)
    before = _actions(engine)

    def broken(self: object, _: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(SqlCaseRepository, "save", broken)
        with pytest.raises(RuntimeError):
            detainer(desk, person)
    assert _actions(engine) == before
    monkeypatch.setattr(SqlAuditRepository, "submit", broken)
    with pytest.raises(RuntimeError):
        detainer(desk, person)
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.cases)) == 0


def test_the_database_refuses_to_change_or_delete_an_entry(
    desk: Desk, owner_engine: Engine
) -> None:
    table = orm.audit_log
    # Not even the owner, who may do anything else.
    for statement in (update(table).values(actor="mallory"), delete(table)):
        with owner_engine.connect() as db, pytest.raises(DatabaseError, match="append-only"):
            db.execute(statement.where(table.c.seq == 1))
    assert audit.verify(desk).ok


def test_the_application_role_may_only_read_and_append(desk: Desk, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's; SQLite is protected by its triggers alone")
    table = orm.audit_log
    for statement in (update(table).values(actor="mallory"), delete(table)):
        with engine.connect() as db:
            db.exec_driver_sql("SET ROLE lexdesk_app")
            with pytest.raises(DatabaseError, match="permission denied"):
                db.execute(statement)
    # The desk of these tests acts as that role (tests/databases.py): its ordinary work goes
    # on, audit entries included.
    detainer(desk, book(desk))
    with engine.connect() as db:
        assert db.exec_driver_sql("SELECT current_user").scalar() == "lexdesk_app"
    assert audit.verify(desk).checked == 17


def test_appends_from_many_threads_form_one_chain(desk: Desk) -> None:
    def append(worker: int) -> None:
        for n in range(10):
            with desk.uow() as uow:
                audit.record(
                    uow,
                    actor=f"worker-{worker}",
                    agency="",
                    action="test.append",
                    object_type="test",
                    object_id=str(n),
                    source="test",
                )
                uow.commit()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(append, range(6)))
    result = audit.verify(desk)
    assert result.ok and result.checked == 15 + 60


def _cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    from lexdesk.entrypoints.cli.common import reset_app
    from lexdesk.entrypoints.cli.main import cli

    monkeypatch.setenv("LEXDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    reset_app()
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        reset_app()
    return result.exit_code, result.stdout, result.stderr


def test_audit_verify_names_the_first_tampered_entry(
    desk: Desk, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _cli(engine, monkeypatch, "audit", "verify")[:2] == (
        0,
        "audit chain intact: 15 entries\n",
    )
    code, out, _ = _cli(engine, monkeypatch, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["checked"] == 15
    assert json.loads(out)["last"]["seq"] == 15  # where a later walk can go on
    with engine.begin() as db, audit_protection_lifted(db):
        db.execute(update(orm.audit_log).where(orm.audit_log.c.seq == 4).values(actor="x"))
    code, _, error = _cli(engine, monkeypatch, "audit", "verify")
    assert code == 1
    assert error == "lexdesk: audit chain broken at seq 4: hash mismatch\n"


def test_a_signed_checkpoint_is_exported_and_checks(
    desk: Desk, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key, out = tmp_path / "audit.key", tmp_path / "checkpoint.json"
    assert _cli(engine, monkeypatch, "audit", "keygen", str(key))[0] == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (
        _cli(engine, monkeypatch, "audit", "checkpoint", "--key", str(key), "--output", str(out))[0]
        == 0
    )
    document = json.loads(out.read_text())
    anchor = Checkpoint(
        size=document["size"],
        head_hash=document["head"],
        root_hash=document["root"],
        at=datetime.fromisoformat(document["at"].replace("Z", "+00:00")),
    )
    public_key = bytes.fromhex((tmp_path / "audit.key.pub").read_text().strip())
    assert document["size"] == 15 and document["public_key"] == public_key.hex()
    assert verify_checkpoint(anchor, bytes.fromhex(document["signature"]), public_key)
    pub = str(tmp_path / "audit.key.pub")
    code, out_text, _ = _cli(
        engine, monkeypatch, "audit", "verify", "--checkpoint", str(out), "--public-key", pub
    )
    assert (code, out_text) == (
        0,
        "audit chain intact: 15 entries, matching the checkpoint of 15\n",
    )

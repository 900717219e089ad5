"""Backup and restore on both databases (security.md row 25): the restore drill — a desk with
people, a case, files and sealed TOTP seeds backed up, restored into an empty database, every
table equal row for row, the audit chain intact, and the restored desk serving the same case to
the same users with the same second factor; across engines too. A file changed anywhere, cut
short or sealed with another key is refused and leaves the database empty; a restore never
merges into a database with rows; the backup reads one snapshot while writers go on; no name,
record or seed can be read in the file."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, func, inspect, select

from lexdesk.adapters import backup as backup_module
from lexdesk.adapters import orm
from lexdesk.adapters.backup import DatabaseNotEmpty, Manifest, back_up, restore
from lexdesk.adapters.backup_file import BackupBroken
from lexdesk.bootstrap import App, blob_store, build, data_sealer
from lexdesk.config import Settings
from lexdesk.entrypoints.web import mount
from lexdesk.services import accounts, attachments, audit, persons
from lexdesk.services import instruments as v
from tests.audit_rows import check_audit_rows
from tests.databases import postgres_database, sqlite_url
from tests.fakes import FakeClock
from tests.web.conftest import sign_in
from tests.web.story import Story, set_up_story

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
KEY = base64.b64encode(b"k" * 32).decode()
OTHER_KEY = base64.b64encode(b"o" * 32).decode()


def _database(engine_kind: str, tmp_path: Path, name: str) -> str:
    if engine_kind == "sqlite":
        return sqlite_url(tmp_path, f"{name}.sqlite3")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return postgres_database(worker, f"_backup_{name}")


def _desk(url: str, tmp_path: Path, name: str, clock: FakeClock, key: str = KEY) -> App:
    blobs = tmp_path / f"blobs-{name}"
    return build(Settings(database_url=url, blob_dir=blobs, data_key=key), clock=clock)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2020, 1, 14, 15, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "postgres"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def source(engine_kind: str, tmp_path: Path, clock: FakeClock) -> Iterator[tuple[App, Story]]:
    from lexdesk.adapters.migrations import upgrade

    built = _desk(_database(engine_kind, tmp_path, "source"), tmp_path, "source", clock)
    upgrade(built.engine)
    story = set_up_story(built.desk, ("officer", "legal"), outsiders=False)
    detainer = v.issue_instrument(
        built.desk,
        v.IssueInstrument(
            "ice-nyc-officer", "detainer", "nyc-doc", story.person_id, ("hold",), "administrative"
        ),
    )
    officer = accounts.principal_at_command_line(built.desk, "ice-nyc-officer")
    attachments.add(built.desk, officer, detainer.id, "detainer.pdf", PDF, source="test")
    yield built, story
    built.engine.dispose()


def _backup(built: App, now: datetime) -> tuple[bytes, Manifest]:
    out = io.BytesIO()
    manifest = back_up(
        built.engine, blob_store(built.settings), data_sealer(built.settings), out, now
    )
    return out.getvalue(), manifest


def _restore(built: App, data: bytes, now: datetime) -> None:
    blobs = blob_store(built.settings)
    restore(built.engine, blobs, data_sealer(built.settings), io.BytesIO(data), now, "test")


def _contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in key order (the audit trail without the restore's own entry)."""
    with engine.connect() as db:
        return {
            t.name: [tuple(r) for r in db.execute(select(t).order_by(*t.primary_key.columns))]
            for t in orm.metadata.sorted_tables
        }


def _row_count(engine: Engine) -> int:
    present = set(inspect(engine).get_table_names())
    with engine.connect() as db:
        return sum(
            int(db.scalar(select(func.count()).select_from(t)) or 0)
            for t in orm.metadata.sorted_tables
            if t.name in present
        )


def test_the_restore_drill_brings_back_every_row_file_and_seed(
    source: tuple[App, Story], engine_kind: str, tmp_path: Path, clock: FakeClock
) -> None:
    built, story = source
    data, manifest = _backup(built, clock.now())
    assert manifest.files == 1 and manifest.audit_head is not None
    assert manifest.tables["persons"] == 1 and manifest.tables["credentials"] == len(story.secrets)

    target = _desk(_database(engine_kind, tmp_path, "target"), tmp_path, "target", clock)
    _restore(target, data, clock.now())

    before, after = _contents(built.engine), _contents(target.engine)
    restored_entry = after["audit_log"].pop()
    assert before == after
    assert restored_entry[orm.audit_log.c.keys().index("action")] == "backup.restore"
    assert {name: len(rows) for name, rows in before.items()} == manifest.tables
    assert audit.verify(target.desk).ok
    check_audit_rows(target.engine)

    # The restored desk serves the case, its file and the sign-in with the same second factor.
    app = FastAPI()
    mount(app, target)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    sign_in(client, story, clock, "nyc-doc-officer")
    person = client.get(f"/persons/{story.person_id}")
    assert person.status_code == 200 and "QUINTAL" in person.text
    reader = accounts.principal_at_command_line(target.desk, "nyc-doc-officer")
    [detainer] = after["instruments"]
    instrument_id = str(detainer[0])
    [kept] = attachments.list_of(target.desk, reader, instrument_id, "test")
    assert b"".join(attachments.read(target.desk, reader, kept.id, "test")[1]) == PDF
    target.engine.dispose()


def test_a_sqlite_desk_restores_into_postgresql(tmp_path: Path, clock: FakeClock) -> None:
    from lexdesk.adapters.migrations import upgrade

    built = _desk(sqlite_url(tmp_path, "small.sqlite3"), tmp_path, "small", clock)
    upgrade(built.engine)
    set_up_story(built.desk, ("officer",), outsiders=False)
    data, _ = _backup(built, clock.now())
    target = _desk(_database("postgres", tmp_path, "crossed"), tmp_path, "crossed", clock)
    _restore(target, data, clock.now())
    after = _contents(target.engine)
    after["audit_log"].pop()
    assert _contents(built.engine) == after
    assert audit.verify(target.desk).ok
    # PostgreSQL's sequences go on after the restored numbers: new rows get new keys.
    persons.book_person(target.desk, _another_booking())
    target.engine.dispose()


def _another_booking() -> persons.BookPerson:
    return persons.BookPerson(
        actor="nyc-doc-officer",
        family_name="Vantor",
        given_name="Ilse",
        arrested_on=datetime(2020, 1, 2, tzinfo=UTC).date(),
        booked_at=datetime(2020, 1, 2, 9, tzinfo=UTC),
        identifiers={"nysid": "90000002R"},
    )


def _damaged(data: bytes) -> Iterator[tuple[str, bytes]]:
    for at in (0, 20, len(data) // 3, len(data) // 2, len(data) - 1):
        flipped = bytearray(data)
        flipped[at] ^= 0x01
        yield f"byte {at} changed", bytes(flipped)
    for keep in (10, 60, 200, len(data) // 2, len(data) - 1):
        yield f"cut to {keep} bytes", data[:keep]
    yield "bytes added after the end", data + b"\x00"


def test_a_changed_or_truncated_backup_is_refused_and_nothing_is_written(
    source: tuple[App, Story], engine_kind: str, tmp_path: Path, clock: FakeClock
) -> None:
    built, _ = source
    data, _ = _backup(built, clock.now())
    target = _desk(_database(engine_kind, tmp_path, "target"), tmp_path, "target", clock)
    for what, damaged in _damaged(data):
        with pytest.raises(BackupBroken):
            _restore(target, damaged, clock.now())
        assert _row_count(target.engine) == 0, what
    other = _desk(target.settings.database_url or "", tmp_path, "target", clock, OTHER_KEY)
    with pytest.raises(BackupBroken, match="not in this desk's ring"):
        _restore(other, data, clock.now())
    assert _row_count(target.engine) == 0
    # The same, whole file then restores into the same database.
    _restore(target, data, clock.now())
    assert audit.verify(target.desk).ok
    other.engine.dispose()
    target.engine.dispose()


def test_a_restore_never_merges_into_a_database_with_rows(
    source: tuple[App, Story], clock: FakeClock
) -> None:
    built, _ = source
    data, _ = _backup(built, clock.now())
    rows = _row_count(built.engine)
    with pytest.raises(DatabaseNotEmpty, match="not empty"):
        _restore(built, data, clock.now())
    assert _row_count(built.engine) == rows


def test_the_backup_reads_one_snapshot_while_writers_go_on(
    source: tuple[App, Story],
    engine_kind: str,
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the manifest is counted and the first table read, another connection commits a
    booking: the backup neither waits for it (SQLite's write lock) nor sees it."""
    built, _ = source
    every_table, calls = backup_module._tables, []

    def booking_midway() -> Iterator[Table]:
        calls.append(1)
        for position, table in enumerate(every_table()):
            if len(calls) == 2 and position == 1:
                persons.book_person(built.desk, _another_booking())
            yield table

    monkeypatch.setattr(backup_module, "_tables", booking_midway)
    data, manifest = _backup(built, clock.now())
    with built.engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.persons)) == 2
    assert manifest.tables["persons"] == 1
    target = _desk(_database(engine_kind, tmp_path, "target"), tmp_path, "target", clock)
    _restore(target, data, clock.now())
    assert audit.verify(target.desk).ok
    with target.engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.persons)) == 1
    target.engine.dispose()


def test_nothing_personal_or_secret_can_be_read_in_a_backup(
    source: tuple[App, Story], clock: FakeClock
) -> None:
    built, story = source
    data, _ = _backup(built, clock.now())
    secret = story.secrets["ice-nyc-officer"]
    for marker in ("Quintal", "QUINTAL", "Example Avenue", story.nysid, secret, "detainer.pdf"):
        assert marker.encode() not in data, marker
    assert b"%PDF" not in data
    # Nor in the stored files themselves, sealed at rest.
    stored = [p.read_bytes() for p in built.settings.blob_dir.rglob("*") if p.is_file()]
    assert len(stored) == 1 and b"%PDF" not in stored[0]

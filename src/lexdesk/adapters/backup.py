"""Backup and restore: every table and every stored file, from one consistent snapshot, into a
sealed file (``adapters.backup_file``), and back into an empty database.

The content is logical, one JSON line per record, so a backup does not depend on the engine
that made it: a SQLite desk's backup restores into PostgreSQL. It opens with a manifest (the
schema revision, each table's row count, the head of the audit chain) and closes with an end
mark. A restore writes everything in one transaction and commits only when the count of every
table equals the manifest's, the audit chain verifies and its head is the manifest's: a file
cut short, changed or sealed with another key leaves the database as empty as it found it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import (
    JSON,
    Connection,
    Date,
    Engine,
    LargeBinary,
    Table,
    bindparam,
    column,
    func,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.types import NullType, TypeEngine

from lexdesk.adapters import migrations, orm
from lexdesk.adapters.audit_repository import SqlAuditRepository, sequence
from lexdesk.adapters.backup_file import BackupBroken, SealedWriter, lines
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.database import create_snapshot_engine
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.audit import chain_next
from lexdesk.domain.errors import InvalidInput
from lexdesk.services.audit import channel, verify_trail

FORMAT = 1
BATCH = 1000
#: Tables whose rows name files in the blob store by their SHA-256.
FILE_TABLES = (orm.attachments, orm.documents)


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written at its start and checked by a restore."""

    format: int
    made_at: str
    schema: str
    made_on: str  # the engine: sqlite or postgresql
    tables: dict[str, int]
    files: int
    audit_head: dict[str, Any] | None
    files_missing: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    audit_entries: int
    schema: str


class DatabaseNotEmpty(InvalidInput):
    """A restore goes only into an empty database: it never merges."""


# -- backup ------------------------------------------------------------------------------------


def back_up(
    engine: Engine, blobs: LocalBlobStore, sealer: Sealer, out: BinaryIO, now: datetime
) -> Manifest:
    """Write one consistent snapshot of the database at ``engine``, and the files its rows name,
    to ``out``; the manifest written. Writers go on meanwhile; the entries they submitted
    before it are chained first, so the manifest's head is the record's (ADR 0029)."""
    sequence(engine, lambda: now)
    snapshot = create_snapshot_engine(engine.url.render_as_string(hide_password=False))
    try:
        with snapshot.connect() as db, db.begin():
            digests = [d for d in _file_digests(db) if blobs.exists(d)]
            manifest = _manifest(db, digests, now)
            writer = SealedWriter(out, sealer)
            writer.write(_line({"manifest": asdict(manifest)}))
            for source in _tables():
                writer.write(_line({"table": source.name, "columns": list(source.columns.keys())}))
                ordered = select(source).order_by(*source.primary_key.columns)
                for row in db.execution_options(yield_per=BATCH).execute(ordered):
                    writer.write(_line(list(row)))
        for digest in digests:
            data = b"".join(blobs.read(digest))
            writer.write(_line({"file": digest, "data": base64.b64encode(data).decode()}))
        writer.write(_line({"end": {"rows": manifest.rows, "files": manifest.files}}))
        writer.close()
    finally:
        snapshot.dispose()
    return manifest


def _manifest(db: Connection, kept: list[str], now: datetime) -> Manifest:
    schema = migrations.revision_of(db)
    if schema is None:
        raise InvalidInput("the database has no lexdesk schema: there is nothing to back up")
    counts = {t.name: int(db.scalar(select(func.count()).select_from(t)) or 0) for t in _tables()}
    log = orm.audit_log
    head = db.execute(select(log.c.seq, log.c.hash).order_by(log.c.seq.desc()).limit(1)).first()
    missing = [d for d in _file_digests(db) if d not in set(kept)]
    return Manifest(
        format=FORMAT,
        made_at=now.isoformat(),
        schema=schema,
        made_on=db.dialect.name,
        tables=counts,
        files=len(kept),
        audit_head={"seq": head.seq, "hash": head.hash} if head else None,
        files_missing=missing,
    )


def _file_digests(db: Connection) -> list[str]:
    found: set[str] = set()
    for source in FILE_TABLES:
        found.update(db.scalars(select(source.c.sha256)))
    return sorted(found)


def _tables() -> list[Table]:
    """Every table, parents before the tables that refer to them."""
    return list(orm.metadata.sorted_tables)


def _line(record: object) -> bytes:
    return json.dumps(record, default=_plain, separators=(",", ":")).encode() + b"\n"


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"a {type(value).__name__} has no place in a backup")


# -- restore -----------------------------------------------------------------------------------


def restore(
    engine: Engine,
    blobs: LocalBlobStore,
    sealer: Sealer,
    source: BinaryIO,
    now: datetime,
    operator: str,
) -> Restored:
    """Restore the backup ``source`` into the empty database at ``engine``: its schema at the
    backup's revision, every row and file, one audit entry that records the restore; then the
    schema brought up to this lexdesk's. ``BackupBroken`` or ``InvalidInput`` and nothing
    written when the file is not whole or the database not empty."""
    records = (_record(line) for line in lines(source, sealer))
    manifest = _read_manifest(next(records, None))
    _require_empty(engine)
    migrations.upgrade(engine, manifest.schema, sealer)
    with engine.begin() as db:
        _load(db, records, blobs)
        if next(records, None) is not None:  # reading on checks the file's last bytes too
            raise BackupBroken("the backup's content goes on after its end mark")
        _check_counts(db, manifest)
        trail = SqlAuditRepository(db, lambda: now)
        verified = verify_trail(trail)
        if not verified.ok:
            raise BackupBroken(f"the restored audit chain does not verify: {verified.reason}")
        head = trail.head()
        ends = {"seq": head.seq, "hash": head.hash} if head else None
        if ends != manifest.audit_head:
            raise BackupBroken("the restored audit chain does not end where the manifest says")
        _reset_sequences(db)
        trail.append(
            chain_next(
                head,
                at=now,
                actor=operator,
                agency="",
                action="backup.restore",
                object_type="backup",
                object_id=manifest.made_at[:100],
                outcome="success",
                source="cli",
                detail={"schema": manifest.schema, "rows": manifest.rows, "files": manifest.files},
                component=channel().component,
                client=channel().client,
            )
        )
    migrations.upgrade(engine, sealer=sealer)
    return Restored(manifest, verified.checked, migrations.current_revision(engine) or "")


def _record(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise BackupBroken("the backup's content is damaged (a record is not JSON)") from None


def _read_manifest(first: Any) -> Manifest:
    if not isinstance(first, dict) or not isinstance(first.get("manifest"), dict):
        raise BackupBroken("the backup has no manifest")
    try:
        manifest = Manifest(**first["manifest"])
    except TypeError:
        raise BackupBroken("the backup's manifest is not one this lexdesk reads") from None
    if manifest.format != FORMAT:
        raise BackupBroken(
            f"the backup is in format {manifest.format}; this lexdesk reads {FORMAT}"
        )
    if not migrations.is_known(manifest.schema):
        raise BackupBroken(
            f"the backup's schema {manifest.schema} is unknown to this lexdesk:"
            " restore it with the version that made it, or a later one"
        )
    return manifest


def _require_empty(engine: Engine) -> None:
    where = engine.url.render_as_string(hide_password=True)
    present = set(inspect(engine).get_table_names())
    with engine.connect() as db:
        for source in _tables():
            if source.name in present and db.scalar(select(source).limit(1)) is not None:
                raise DatabaseNotEmpty(
                    f"the database at {where} is not empty ({source.name} has rows):"
                    " restore into a new, empty database, without `lexdesk init`"
                )
    if present and migrations.current_revision(engine) is None:
        raise DatabaseNotEmpty(f"the database at {where} holds tables that are not lexdesk's")


def _load(db: Connection, records: Iterator[Any], blobs: LocalBlobStore) -> None:
    """Insert every table's rows, a batch at a time, and keep every file."""
    loader: _TableLoader | None = None
    for record in records:
        if isinstance(record, list):
            if loader is None:
                raise BackupBroken("the backup's content is damaged (a row outside a table)")
            loader.add(record)
            continue
        if loader is not None:
            loader.finish()
            loader = None
        if not isinstance(record, dict):
            raise BackupBroken("the backup's content is damaged (an unknown record)")
        if "table" in record:
            loader = _TableLoader(db, record["table"], record["columns"])
        elif "file" in record:
            _keep_file(blobs, record["file"], record["data"])
        elif "end" in record:
            return
        else:
            raise BackupBroken("the backup's content is damaged (an unknown record)")
    raise BackupBroken("the backup is truncated: its content has no end mark")


def _keep_file(blobs: LocalBlobStore, digest: str, data: str) -> None:
    content = base64.b64decode(data)
    if hashlib.sha256(content).hexdigest() != digest:
        raise BackupBroken(f"a file in the backup is not the one its rows name ({digest[:12]}…)")
    # Content-addressed: a file kept before a restore that then fails names nothing, and harms
    # nothing.
    blobs.put(content)


class _TableLoader:
    """One table's rows in batches. A column that refers to the same table (an instrument's
    parent) is filled in after every row is there, so that the order of rows never matters."""

    def __init__(self, db: Connection, name: str, columns: list[str]) -> None:
        known = orm.metadata.tables.get(name)
        if known is None or not all(isinstance(c, str) for c in columns):
            raise BackupBroken(f"the backup holds a table this lexdesk does not know: {name}")
        self._db = db
        self._columns = columns
        self._decoders = [
            _decoder(known.c[c].type if c in known.c else NullType()) for c in columns
        ]
        self._later = [c for c in columns if _refers_to_own_table(known, c)]
        types = {c: _bind_type(known, c) for c in columns}
        self._target = table(name, *(column(c, types[c]) for c in columns))
        self._keys = [c.name for c in known.primary_key.columns]
        self._batch: list[dict[str, Any]] = []
        self._deferred: list[dict[str, Any]] = []

    def add(self, values: list[Any]) -> None:
        if len(values) != len(self._columns):
            raise BackupBroken(f"the backup's content is damaged (a row of {self._target.name})")
        row = {
            c: decode(v) for c, decode, v in zip(self._columns, self._decoders, values, strict=True)
        }
        for name in self._later:
            if row[name] is not None:
                self._deferred.append({**{f"k_{k}": row[k] for k in self._keys}, "v": row[name]})
                row[name] = None
        self._batch.append(row)
        if len(self._batch) >= BATCH:
            self._flush()

    def finish(self) -> None:
        self._flush()
        for name in self._later:
            match = [self._target.c[k] == bindparam(f"k_{k}") for k in self._keys]
            statement = update(self._target).where(*match).values({name: bindparam("v")})
            if self._deferred:
                self._db.execute(statement, self._deferred)

    def _flush(self) -> None:
        if self._batch:
            self._db.execute(self._target.insert(), self._batch)
            self._batch = []


def _refers_to_own_table(known: Table, name: str) -> bool:
    return name in known.c and any(fk.column.table is known for fk in known.c[name].foreign_keys)


def _bind_type(known: Table, name: str) -> TypeEngine[Any]:
    if name not in known.c:
        return NullType()
    kind = known.c[name].type
    if isinstance(kind, JSON):
        # A nullable JSON column's None was SQL NULL; JSON's own null only where NULL cannot be.
        return JSON(none_as_null=known.c[name].nullable is not False)
    return kind


def _decoder(kind: TypeEngine[Any]) -> Callable[[Any], Any]:
    if isinstance(kind, orm.UTCDateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _check_counts(db: Connection, manifest: Manifest) -> None:
    for name, expected in manifest.tables.items():
        known = orm.metadata.tables.get(name)
        found = (
            int(db.scalar(select(func.count()).select_from(known)) or 0) if known is not None else 0
        )
        if found != expected:
            raise BackupBroken(
                f"the backup is incomplete: {name} has {found} rows, its manifest says {expected}"
            )


def _reset_sequences(db: Connection) -> None:
    """The numbering of new rows goes on after the restored numbers: PostgreSQL's sequences,
    and the audit queue's on both (its rows are gone once chained, but the chain names them:
    ``audit_log.submitted``). SQLite's other rowids go on by nature."""
    chained = select(func.max(orm.audit_log.c.submitted)).scalar_subquery()
    if db.dialect.name != "postgresql":
        queued = db.scalar(select(func.max(orm.audit_pending.c.id)))
        last = max(db.scalar(select(chained)) or 0, queued or 0)
        db.execute(text("DELETE FROM sqlite_sequence WHERE name = 'audit_pending'"))
        db.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES ('audit_pending', :n)"),
                   {"n": last})  # fmt: skip
        return
    for source in _tables():
        keys = list(source.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = db.scalar(select(func.pg_get_serial_sequence(source.name, keys[0].name)))
        if sequence:
            last = select(func.max(keys[0])).scalar_subquery()
            if source is orm.audit_pending:
                last = func.greatest(last, chained)
            after = func.coalesce(last, 0) + 1
            db.execute(select(func.setval(sequence, after, False)))

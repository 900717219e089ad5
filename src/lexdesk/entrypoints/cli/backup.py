"""``lexdesk backup FILE`` and ``lexdesk restore FILE``: the whole desk in one sealed file, and
back into an empty database (``adapters.backup``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from lexdesk.adapters.backup import back_up, restore
from lexdesk.adapters.backup_file import BackupBroken
from lexdesk.bootstrap import blob_store, data_sealer
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly
from lexdesk.services import audit


@fails_cleanly
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (never overwritten).")],
    as_json: JsonOption = False,
) -> None:
    """Write a consistent snapshot of the whole desk (every table, every stored file) to FILE,
    sealed with the current data key. Online: the desk goes on working meanwhile."""
    built = app()
    partial = file.with_name(file.name + ".partial")
    if file.exists():
        fail(f"{file} exists: choose another file (a backup is never overwritten)")
    try:
        # 0600 from the start, and the name FILE only once it is whole.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        fail(f"cannot write {file}: {error.strerror}")
    try:
        with os.fdopen(descriptor, "wb") as out:
            manifest = back_up(
                built.engine,
                blob_store(built.settings),
                data_sealer(built.settings),
                out,
                built.desk.clock.now(),
            )
            os.fsync(out.fileno())
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    head = manifest.audit_head
    audit.record_alone(
        built.desk,
        actor=built.desk.operator,
        agency="",
        action="backup.make",
        object_type="backup",
        object_id=manifest.made_at,
        source="cli",
        detail={"schema": manifest.schema, "rows": manifest.rows, "files": manifest.files},
    )
    if as_json:
        emit_json({"file": str(file), **vars(manifest), "rows": manifest.rows})
        return
    typer.echo(
        f"backup written to {file}: {manifest.rows} rows in {len(manifest.tables)} tables,"
        f" {manifest.files} files, audit chain head {head['seq'] if head else 'empty'}"
    )
    for digest in manifest.files_missing:
        typer.echo(f"lexdesk: warning: file {digest} is named but not in the store", err=True)


@fails_cleanly
def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup written by `lexdesk backup`.")],
    as_json: JsonOption = False,
) -> None:
    """Restore FILE into the configured database, which must be empty (do not run `lexdesk
    init` first). All or nothing: a tampered or truncated file leaves it empty, with exit 2."""
    built = app()
    try:
        source = file.open("rb")
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    try:
        with source:
            restored = restore(
                built.engine,
                blob_store(built.settings),
                data_sealer(built.settings),
                source,
                built.desk.clock.now(),
                built.desk.operator,
            )
    except BackupBroken as error:
        fail(f"{file}: {error}; nothing was restored")
    manifest = restored.manifest
    if as_json:
        emit_json(
            {
                "file": str(file),
                "made_at": manifest.made_at,
                "rows": manifest.rows,
                "files": manifest.files,
                "audit_entries_verified": restored.audit_entries,
                "schema": restored.schema,
            }
        )
        return
    typer.echo(
        f"restored {file} (made {manifest.made_at}): {manifest.rows} rows, {manifest.files}"
        f" files; audit chain intact ({restored.audit_entries} entries); schema {restored.schema}"
    )

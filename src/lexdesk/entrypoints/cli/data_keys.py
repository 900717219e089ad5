"""``lexdesk data-keys``: the key that seals secrets and files at rest (TOTP seeds, stored
files): make one, see what each key seals, and seal everything again with the current key after
a rotation."""

from __future__ import annotations

import base64
import os

import typer

from lexdesk.adapters import key_ring
from lexdesk.bootstrap import blob_store, data_sealer
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly

cli = typer.Typer(
    help="The key that seals secrets and files at rest (TOTP seeds, attachments, documents,"
    " backups); rotate it without downtime.",
    no_args_is_help=True,
)


@cli.command("new")
@fails_cleanly
def new(as_json: JsonOption = False) -> None:
    """Print a new key (32 random bytes, base64) for LEXDESK_DATA_KEY. To rotate: set it, move
    the old one to LEXDESK_DATA_KEYS_PREVIOUS, restart, run `rewrap`, then drop the old one."""
    key = base64.b64encode(os.urandom(32)).decode()
    if as_json:
        emit_json({"key": key})
        return
    typer.echo(key)


@cli.command("status")
@fails_cleanly
def status(as_json: JsonOption = False) -> None:
    """How many sealed values (TOTP seeds, people's records) and stored files each key seals,
    and which key seals new ones."""
    built = app()
    counts, current = key_ring.census(built.engine), data_sealer(built.settings).current
    files = blob_store(built.settings).census()
    if as_json:
        emit_json({"current": current, "sealed": counts, "files": files})
        return
    typer.echo(f"current key {current}")
    for kid, count in sorted(counts.items()):
        typer.echo(f"  {kid}: {count} sealed values")
    for kid, count in sorted(files.items()):
        typer.echo(f"  {kid}: {count} files")


@cli.command("rewrap")
@fails_cleanly
def rewrap(as_json: JsonOption = False) -> None:
    """Seal every sealed value (TOTP seeds, people's records) and stored file with the current
    key (those kept before sealing, too)."""
    built = app()
    changed = key_ring.rewrap(built.engine, data_sealer(built.settings))
    files = blob_store(built.settings).reseal()
    if as_json:
        emit_json({"rewrapped": changed, "files": files})
        return
    typer.echo(f"lexdesk: {changed} values and {files} files sealed with the current key")

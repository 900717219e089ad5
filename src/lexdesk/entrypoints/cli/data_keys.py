"""``lexdesk data-keys``: the key that seals secrets at rest (TOTP seeds): make one, see what
each key seals, and seal everything again with the current key after a rotation."""

from __future__ import annotations

import base64
import os

import typer

from lexdesk.adapters import key_ring
from lexdesk.bootstrap import data_sealer
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly

cli = typer.Typer(
    help="The key that seals secrets at rest (TOTP seeds); rotate it without downtime.",
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
    """How many TOTP seeds each key seals, and which key seals new ones."""
    built = app()
    counts, current = key_ring.census(built.engine), data_sealer(built.settings).current
    if as_json:
        emit_json({"current": current, "sealed": counts})
        return
    typer.echo(f"current key {current}")
    for kid, count in sorted(counts.items()):
        typer.echo(f"  {kid}: {count}")


@cli.command("rewrap")
@fails_cleanly
def rewrap(as_json: JsonOption = False) -> None:
    """Seal every TOTP seed with the current key (those kept before sealing, too)."""
    built = app()
    changed = key_ring.rewrap(built.engine, data_sealer(built.settings))
    if as_json:
        emit_json({"rewrapped": changed})
        return
    typer.echo(f"lexdesk: {changed} secrets sealed with the current key")

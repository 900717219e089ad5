"""``lexdesk audit``: check the tamper-evident trail, export signed checkpoints of it, and purge
entries older than the retention period."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from lexdesk.domain.audit import Checkpoint, public_key_for, verify_checkpoint
from lexdesk.domain.audit import new_signing_key as _new_signing_key
from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly
from lexdesk.services import audit, audit_retention

cli = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)

#: ``audit verify`` exits 1 when the chain is broken: not a usage error (2), a finding.
EXIT_TAMPERED = 1


@cli.command("verify")
@fails_cleanly
def verify(
    checkpoint: Annotated[
        Path | None, typer.Option(help="Also check the chain against this signed checkpoint.")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="The trusted public key file (KEY.pub) for --checkpoint.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Walk the hash chain from the first entry; exit 1 at the first entry that does not check."""
    anchor = _trusted_checkpoint(checkpoint, public_key) if checkpoint else None
    result = audit.verify(app().desk, anchor)
    if as_json:
        emit_json(asdict(result))
    if not result.ok:
        where = f"seq {result.first_bad_seq}" if result.first_bad_seq else "checkpoint"
        typer.echo(f"lexdesk: audit chain broken at {where}: {result.reason}", err=True)
        raise typer.Exit(EXIT_TAMPERED)
    if not as_json:
        against = f", matching the checkpoint of {anchor.size}" if anchor else ""
        typer.echo(f"audit chain intact: {result.checked} entries{against}")


def default_key_file() -> Path:
    """Where a signing key goes unless told otherwise: the user's configuration directory
    (``$XDG_CONFIG_HOME/lexdesk/keys``, by default ``~/.config/lexdesk/keys``), never the
    working directory, where a key ends up in a repository or a backup of the project."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "lexdesk" / "keys" / "audit-signing.key"


@cli.command("keygen")
@fails_cleanly
def keygen(
    key_file: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the private key (mode 0600). Default:"
            " $XDG_CONFIG_HOME/lexdesk/keys/audit-signing.key (~/.config/...)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make an Ed25519 key pair for signing checkpoints: KEY_FILE and KEY_FILE.pub."""
    key_file = key_file or default_key_file()
    private_key, public_key = _new_signing_key()
    try:
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created with mode 0600 from the start: no moment in which others could read it.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fail(f"{key_file} exists: choose another file (a key is never overwritten)")
    except OSError as error:
        fail(f"cannot write the key file {key_file}: {error.strerror}")
    with os.fdopen(descriptor, "w", encoding="ascii") as private_out:
        private_out.write(private_key.hex() + "\n")
    public_file = key_file.with_name(key_file.name + ".pub")
    public_file.write_text(public_key.hex() + "\n", encoding="ascii")
    if as_json:
        emit_json({"private_key_file": str(key_file), "public_key_file": str(public_file)})
        return
    typer.echo(f"private key {key_file} (keep it off this host); public key {public_file}")


@cli.command("checkpoint")
@fails_cleanly
def checkpoint(
    key: Annotated[
        Path | None,
        typer.Option(help="The private key file from `audit keygen` (default: its default)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the checkpoint here instead of stdout.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sign the chain's size, head and Merkle root; keep the JSON off this host. The
    checkpoint is JSON either way; with --output and --json, a JSON line says where it went."""
    signed = audit.checkpoint(app().desk, _read_private_key(key or default_key_file()))
    document = json.dumps(signed.to_json(), indent=2) + "\n"
    if output is None:
        typer.echo(document, nl=False)
        return
    output.write_text(document, encoding="utf-8")
    if as_json:
        emit_json({"output": str(output), "size": signed.size})
        return
    typer.echo(f"checkpoint of {signed.size} entries written to {output}")


@cli.command("purge")
@fails_cleanly
def purge(
    before: Annotated[
        datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Purge entries stamped before this day (UTC); at least 365 days ago.",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Delete the oldest entries, from the start of the chain, leaving a recorded anchor so
    that the rest still verifies. Run it as the database owner, not the application's role."""
    command = audit_retention.PurgeAudit(before=before.date())
    done = audit_retention.purge(app().desk, command)
    through = done.anchor.seq if done.anchor else 0
    if as_json:
        emit_json({"purged": done.entries, "through_seq": through})
        return
    kept = f"; the chain now starts after seq {through}" if done.anchor else ""
    typer.echo(f"{done.entries} audit entries before {before:%Y-%m-%d} purged{kept}")


def _read_private_key(key: Path) -> bytes:
    try:
        mode = key.stat().st_mode
        text = key.read_text(encoding="ascii").strip()
    except OSError as error:
        fail(f"cannot read the key file {key}: {error.strerror}")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        fail(f"{key} can be read by others: run `chmod 600 {key}`, then consider it exposed")
    try:
        private_key = bytes.fromhex(text)
        public_key_for(private_key)
    except ValueError:
        fail(f"{key} is not a key made by `lexdesk audit keygen`")
    return private_key


def _trusted_checkpoint(path: Path, public_key: Path | None) -> Checkpoint:
    """A checkpoint whose signature checks against the key we trust (not the one it carries:
    whoever rewrote the log could sign with a key of their own)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        trusted = (
            public_key.read_text(encoding="ascii").strip() if public_key else document["public_key"]
        )
        anchor = Checkpoint(
            size=int(document["size"]),
            head_hash=str(document["head"]),
            root_hash=str(document["root"]),
            at=datetime.fromisoformat(str(document["at"]).replace("Z", "+00:00")),
        )
        signature = bytes.fromhex(document["signature"])
        key_bytes = bytes.fromhex(trusted)
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(f"cannot read the checkpoint {path}: {error}")
    if not verify_checkpoint(anchor, signature, key_bytes):
        fail(f"the signature of {path} does not check: the checkpoint is not genuine", 1)
    return anchor

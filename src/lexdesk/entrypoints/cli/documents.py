"""``lexdesk documents``, ``lexdesk keys`` and ``lexdesk attachments``: signed PDFs of
instruments and answers, their verification, the agencies' letterheads and signing keys
(docs/adr/0018-documents.md), and the files attached to instruments and answers."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from lexdesk.domain.attachments import Attachment
from lexdesk.domain.documents import Result, SigningKey, Verdict
from lexdesk.domain.service import ServiceRecord
from lexdesk.entrypoints.cli.common import (
    EXIT_INVALID,
    ActorOption,
    JsonOption,
    app,
    emit_json,
    fail,
    fails_cleanly,
    parse_moment,
    read_upload,
)
from lexdesk.services import accounts, attachments, documents, production, serving, signing
from lexdesk.services.documents import Rendered

cli = typer.Typer(
    help="Render signed PDFs of instruments and answers; verify one; set a letterhead.",
    no_args_is_help=True,
)
keys_cli = typer.Typer(
    help="Signing keys: the deployment CA and each agency's key.", no_args_is_help=True
)

#: Exit code of ``documents verify`` for a document that is altered or unknown.
EXIT_NOT_AUTHENTIC = 1
#: The largest file ``documents verify`` reads (the API's limit too).
VERIFY_LIMIT = 25 * 1024 * 1024


@cli.command("render")
@fails_cleanly
def render(
    instrument_id: str,
    actor: ActorOption,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the PDF (default: its own name)."),
    ] = None,
    answer: Annotated[
        bool, typer.Option("--answer", help="The answer letter instead of the instrument.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write the signed PDF of an instrument (or its answer) as the user's agency may see it."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    made, target = _written(
        output,
        lambda: documents.render(built.desk, reader, instrument_id, answer=answer, source="cli"),
    )
    shown = {**_record(made.record), "file": str(target), "bytes": len(made.pdf)}
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"{target}: {made.record.kind.value} signed by {made.record.issuer_agency_id}, "
               f"verification code {made.record.code}")  # fmt: skip


@cli.command("produce")
@fails_cleanly
def produce(
    instrument_id: str,
    actor: ActorOption,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the PDF (default: its own name)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Produce the records an answer released (the custodian, once: Bates numbers are taken
    then), and write a signed copy; a recipient writes its copy of a production made."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    made = production.production_of(built.desk, reader, instrument_id)
    if made is None:
        made = production.make(built.desk, reader, instrument_id, source="cli")
    copy, target = _written(
        output, lambda: production.render(built.desk, reader, instrument_id, source="cli")
    )
    shown = {
        **_record(copy.record),
        "file": str(target),
        "bytes": len(copy.pdf),
        "production": {"id": made.id, "bates_first": made.first, "bates_last": made.last,
                       "bates_prefix": made.bates_prefix, "pages": made.pages,
                       "recipients": list(made.recipients)},
    }  # fmt: skip
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"{target}: production {made.id}, Bates {made.bates_range} ({made.pages} pages), "
               f"verification code {copy.record.code}")  # fmt: skip


def _written(output: Path | None, make: Callable[[], Rendered]) -> tuple[Rendered, Path]:
    """The document made and written to ``output`` (or its own name); a file this command
    created is removed if making it failed."""
    existed = output.exists() if output else False
    if output is not None:
        _check_writable(output)
    try:
        made = make()
        target = output or Path(made.filename)
        target.write_bytes(made.pdf)
    except BaseException:
        if output is not None and not existed:
            with contextlib.suppress(OSError):
                output.unlink()
        raise
    return made, target


def _check_writable(target: Path) -> None:
    if target.is_dir():
        fail(f"{target} is a directory: name the PDF file to write")
    try:
        with target.open("ab"):
            pass
    except OSError as error:
        fail(f"cannot write {target}: {error.strerror}")


def _record(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "code": record.code,
        "instrument_id": record.instrument_id,
        "kind": record.kind.value,
        "issuer": record.issuer_agency_id,
        "sha256": record.sha256,
        "created_at": record.created_at,
        "key_id": record.key_id,
    }


@cli.command("verify")
@fails_cleanly
def verify(
    file: Annotated[Path, typer.Argument(help="The PDF to check.")],
    as_json: JsonOption = False,
) -> None:
    """Is this PDF a document the desk issued? Exit 0 authentic, 1 altered or unknown, 2 when
    the file cannot be read as a PDF."""
    try:
        if file.stat().st_size > VERIFY_LIMIT:
            fail(f"{file} is larger than {VERIFY_LIMIT // (1024 * 1024)} MB: no document is")
        data = file.read_bytes()
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except IsADirectoryError:
        fail(f"{file} is a directory: name a PDF file")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    built = app()
    actor = built.desk.operator or documents.ANONYMOUS
    verdict = documents.verify_file(built.desk, data, source="cli", actor=actor)
    if as_json:
        emit_json(verdict.to_json())
    else:
        typer.echo(describe_verdict(verdict))
    if verdict.result is not Result.AUTHENTIC:
        raise typer.Exit(EXIT_NOT_AUTHENTIC)


def describe_verdict(verdict: Verdict) -> str:
    if verdict.result is Result.UNKNOWN:
        return "unknown: the desk issued no document like this one"
    kind = verdict.kind.value.replace("_", " ") if verdict.kind else "document"
    standing = (verdict.standing.value if verdict.standing else "unknown").replace("_", " ")
    issued = verdict.issued_at.isoformat() if verdict.issued_at else "?"
    said = f"{kind} {verdict.code}, issued by {verdict.issuer_name} on {issued}; {standing}"
    if verdict.result is Result.ALTERED:
        return f"altered: this file is not the one the desk issued as {said}"
    return f"authentic: {said}"


@cli.command("letterhead")
@fails_cleanly
def letterhead(
    agency_id: str,
    actor: ActorOption,
    address: Annotated[str, typer.Option(help="The agency's address, lines separated by \\n.")],
    seal: Annotated[
        Path | None, typer.Option(help="A PNG of the agency's seal (512 KiB at most).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set an agency's letterhead (its administrator): its address and its seal."""
    image = None
    if seal is not None:
        try:
            image = seal.read_bytes()
        except OSError as error:
            fail(f"cannot read {seal}: {error.strerror}")
    text = address.replace("\\n", "\n")
    head = signing.set_letterhead(app().desk, actor, agency_id, text, image, "cli")
    if as_json:
        emit_json({"agency": head.agency_id, "address": head.address, "seal": bool(image)})
        return
    typer.echo(f"letterhead of {agency_id} set{' with its seal' if image else ''}")


def _key(key: SigningKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "purpose": key.purpose.value,
        "agency": key.agency_id,
        "subject": key.subject,
        "fingerprint": key.fingerprint,
        "created_at": key.created_at,
        "retired_at": key.retired_at,
        "active": key.active,
    }


def _show_key(key: SigningKey, as_json: bool, verb: str = "") -> None:
    if as_json:
        emit_json(_key(key))
        return
    state = "active" if key.active else f"retired {key.retired_at:%Y-%m-%d}"
    typer.echo(f"{verb}{key.id}  {key.purpose.value:<6} {key.agency_id or '-':<12} "
               f"{state:<18} sha256:{key.fingerprint[:16]}  {key.subject}")  # fmt: skip


@keys_cli.command("create")
@fails_cleanly
def create(agency_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """Make an agency's signing key (and the deployment CA, the first time)."""
    _show_key(signing.create_key(app().desk, actor, agency_id, "cli"), as_json, "created ")


@keys_cli.command("rotate")
@fails_cleanly
def rotate(agency_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """Retire the agency's key in use and make a new one; old documents stay verifiable."""
    _show_key(signing.rotate_key(app().desk, actor, agency_id, "cli"), as_json, "rotated to ")


@keys_cli.command("import")
@fails_cleanly
def import_key(
    agency_id: str,
    actor: ActorOption,
    key: Annotated[Path, typer.Option("--key", help="The private key, PEM (PKCS #8 or PKCS #1).")],
    cert: Annotated[
        Path,
        typer.Option("--cert", help="The key's certificate, then its chain (PEM, one file)."),
    ],
    password_file: Annotated[
        Path | None,
        typer.Option("--key-password-file", help="A file holding the key's password, if any."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sign for the agency with a key its own PKI certified; the key in use is retired, and
    old documents stay verifiable."""
    password = read_upload(password_file).strip() if password_file else None
    made = signing.import_key(
        app().desk, actor, agency_id, read_upload(key), password or None, read_upload(cert), "cli"
    )
    _show_key(made, as_json, "imported ")


@keys_cli.command("list")
@fails_cleanly
def list_keys(actor: ActorOption, as_json: JsonOption = False) -> None:
    """The deployment CA's keys and the user's agency's keys, retired ones too."""
    found = signing.list_keys(app().desk, actor)
    if as_json:
        emit_json([_key(k) for k in found])
        return
    if not found:
        typer.echo("no keys yet: `lexdesk keys create AGENCY` or render a document")
    for key in found:
        _show_key(key, False)


@keys_cli.command("export-cert")
@fails_cleanly
def export_cert(
    actor: ActorOption,
    agency_id: Annotated[
        str | None, typer.Argument(help="The agency (default: the deployment CA).")
    ] = None,
    key_id: Annotated[str | None, typer.Option("--key", help="A key by its id.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the PEM here, not to stdout.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A certificate in PEM: the agency's key in use, a key by id, or the deployment CA's (to
    trust in a PDF reader)."""
    key = signing.certificate(app().desk, actor, key_id, agency_id)
    if output is not None:
        try:
            output.write_text(key.certificate_pem, encoding="ascii")
        except OSError as error:
            fail(f"cannot write {output}: {error.strerror}", EXIT_INVALID)
    if as_json:
        emit_json({**_key(key), "certificate_pem": key.certificate_pem,
                   "file": str(output) if output else None})  # fmt: skip
    elif output is None:
        typer.echo(key.certificate_pem, nl=False)
    else:
        typer.echo(f"certificate of {key.id} written to {output}")


attachments_cli = typer.Typer(
    help="Files on an instrument (the paper served) or on its answer (records produced).",
    no_args_is_help=True,
)


def _attachment(item: Attachment) -> dict[str, Any]:
    return {
        "id": item.id,
        "instrument_id": item.instrument_id,
        "on": item.on.value,
        "sha256": item.sha256,
        "media_type": item.media_type,
        "size": item.size,
        "filename": item.filename,
        "agency": item.agency_id,
        "uploaded_by": item.uploaded_by,
        "created_at": item.created_at,
    }


@attachments_cli.command("add")
@fails_cleanly
def add_attachment(
    instrument_id: str,
    file: Annotated[Path, typer.Argument(help="A PDF, PNG, JPEG or TIFF (25 MB at most).")],
    actor: ActorOption,
    answer: Annotated[
        bool, typer.Option("--answer", help="On the answer: records produced with it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Attach a file; its type is judged by its content, never by its name."""
    data = read_upload(file)
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    made = attachments.add(
        built.desk, reader, instrument_id, file.name, data,
        on="answer" if answer else "instrument", source="cli",
    )  # fmt: skip
    if as_json:
        emit_json(_attachment(made))
        return
    typer.echo(f"{made.id}: {made.media_type}, {made.size} bytes, sha256:{made.sha256}")


@attachments_cli.command("list")
@fails_cleanly
def list_attachments(instrument_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """The attachments of an instrument that the user's agency may read (audited)."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    found = attachments.list_of(built.desk, reader, instrument_id, "cli")
    if as_json:
        emit_json([_attachment(a) for a in found])
        return
    if not found:
        typer.echo("no attachments")
    for item in found:
        typer.echo(f"{item.id}  {item.on.value:<10} {item.media_type:<16} {item.size:>9}  "
                   f"{item.filename}")  # fmt: skip


@attachments_cli.command("get")
@fails_cleanly
def get_attachment(
    attachment_id: str,
    actor: ActorOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    as_json: JsonOption = False,
) -> None:
    """Write an attachment to a file, if the user's agency may read it (audited)."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    _check_writable(output)
    item, chunks = attachments.read(built.desk, reader, attachment_id, "cli")
    with output.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    if as_json:
        emit_json({**_attachment(item), "file": str(output)})
        return
    typer.echo(f"{output}: {item.media_type}, {item.size} bytes")


service_cli = typer.Typer(
    help="Service of process: how, by whom and when an instrument was served.",
    no_args_is_help=True,
)


def _service(item: ServiceRecord) -> dict[str, Any]:
    return {
        "id": item.id,
        "instrument_id": item.instrument_id,
        "method": item.method.value,
        "served_by": item.served_by,
        "served_at": item.served_at,
        "agency": item.agency_id,
        "recorded_by": item.recorded_by,
        "recorded_at": item.recorded_at,
        "note": item.note,
    }


@service_cli.command("add")
@fails_cleanly
def add_service(
    instrument_id: str,
    actor: ActorOption,
    method: Annotated[str, typer.Option(help="in_person, mail, email or portal.")],
    served_by: Annotated[str, typer.Option("--by", help="Who served it (a name).")],
    at: Annotated[str, typer.Option("--at", help="When (ISO with zone).")],
    note: Annotated[str, typer.Option(help="Where, to whom: printed on the certificate.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record how the instrument was served (its issuer); the document shows the certificate."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    when = parse_moment(at, "--at")
    made = serving.record(
        built.desk, reader, instrument_id, method, served_by, when, note, source="cli"
    )
    if as_json:
        emit_json(_service(made))
        return
    typer.echo(f"{made.id}: served {made.method.value} by {made.served_by} at {when.isoformat()}")


@service_cli.command("list")
@fails_cleanly
def list_services(instrument_id: str, actor: ActorOption, as_json: JsonOption = False) -> None:
    """How the instrument was served, for whoever may see it."""
    built = app()
    reader = accounts.principal_at_command_line(built.desk, actor)
    found = serving.of_instrument(built.desk, reader, instrument_id)
    if as_json:
        emit_json([_service(s) for s in found])
        return
    if not found:
        typer.echo("no service recorded")
    for item in found:
        typer.echo(f"{item.id}  {item.served_at.isoformat()}  {item.method.value:<9} "
                   f"{item.served_by}")  # fmt: skip

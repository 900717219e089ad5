"""``lexdesk users``: accounts, their locks and MFA, and API tokens.

A password is never taken from the command line: argv is visible to every user of the machine
(``ps``, ``/proc``) and lands in shell history. It is read from a file (``-`` for stdin) or
typed at a prompt that does not echo.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fail, fails_cleanly
from lexdesk.services import account_admin, accounts, api_tokens
from lexdesk.services.agencies import AddUser

cli = typer.Typer(help="User accounts, their locks and MFA, and API tokens.", no_args_is_help=True)
tokens_cli = typer.Typer(help="API tokens for system-to-system use.", no_args_is_help=True)
cli.add_typer(tokens_cli, name="tokens")

UsernameArgument = Annotated[str, typer.Argument(help="The account's username.")]
AdminOption = Annotated[
    str, typer.Option("--as", help="An administrator of the agency (default: the operator).")
]


def _read_password(password_file: Path | None) -> str:
    if password_file is None:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        text = (
            typer.get_text_stream("stdin").read()
            if str(password_file) == "-"
            else (password_file.read_text(encoding="utf-8"))
        )
    except OSError as error:
        fail(f"cannot read the password file {password_file}: {error.strerror}")
    # Only the line ending goes: spaces are part of a passphrase.
    return text.split("\n", 1)[0].removesuffix("\r")


def _show_enrolment(enrolment: accounts.Enrolment, as_json: bool, **extra: str) -> None:
    if as_json:
        emit_json({**extra, "totp_secret": enrolment.totp_secret, "totp_uri": enrolment.totp_uri})
        return
    typer.echo(
        "Add this to the user's authenticator app now; it will not be shown again:\n"
        f"  secret: {enrolment.totp_secret}\n  uri:    {enrolment.totp_uri}"
    )


@cli.command("add")
@fails_cleanly
def add(
    username: UsernameArgument,
    agency: Annotated[str, typer.Option(help="The user's agency code.")],
    name: Annotated[str, typer.Option(help="The display name.")],
    role: Annotated[list[str], typer.Option(help="A role; repeat for several.")],
    password_file: Annotated[
        Path | None, typer.Option(help="Read the password from this file ('-': stdin).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user who signs in with a password and a TOTP code."""
    password = _read_password(password_file)
    user, enrolment = accounts.add_account(
        app().desk, AddUser(username, agency, name, tuple(role)), password
    )
    if not as_json:
        typer.echo(f"user {user.username} added to {user.agency_id} ({user.id})")
    _show_enrolment(enrolment, as_json, id=user.id, username=user.username)


@cli.command("disable")
@fails_cleanly
def disable(username: UsernameArgument, actor: AdminOption = "system") -> None:
    """Disable an account and end all its sessions."""
    ended = account_admin.disable_user(app().desk, account_admin.AccountCommand(username, actor))
    typer.echo(f"user {username} disabled; {ended} session(s) ended")


@cli.command("unlock")
@fails_cleanly
def unlock(username: UsernameArgument, actor: AdminOption = "system") -> None:
    """Release an account locked after too many failed sign-ins."""
    account_admin.unlock_user(app().desk, account_admin.AccountCommand(username, actor))
    typer.echo(f"user {username} unlocked")


@cli.command("reset-mfa")
@fails_cleanly
def reset_mfa(
    username: UsernameArgument, actor: AdminOption = "system", as_json: JsonOption = False
) -> None:
    """Give an account a new TOTP secret (a lost phone); its sessions end."""
    enrolment = account_admin.reset_mfa(app().desk, account_admin.AccountCommand(username, actor))
    _show_enrolment(enrolment, as_json, username=username)


@tokens_cli.command("create")
@fails_cleanly
def create_token(
    agency: Annotated[str, typer.Option(help="The agency that owns the token.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the calling system.")],
    scope: Annotated[list[str], typer.Option(help="A scope, e.g. cases:read; repeat.")],
    days: Annotated[int, typer.Option(help="Days until the token expires (at most 365).")] = 90,
    actor: AdminOption = "system",
    as_json: JsonOption = False,
) -> None:
    """Make an API token; it is printed once and stored only as a digest."""
    command = api_tokens.CreateApiToken(
        agency, name, tuple(scope), timedelta(days=days), actor=actor
    )
    secret, token = api_tokens.create_api_token(app().desk, command)
    if as_json:
        emit_json({"id": token.id, "token": secret, "expires_at": token.expires_at})
        return
    typer.echo(f"token {token.id} expires {token.expires_at.isoformat()}")
    typer.echo(f"copy it now, it will not be shown again:\n  {secret}")


@tokens_cli.command("revoke")
@fails_cleanly
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="The token's id (tok-...).")],
    actor: AdminOption = "system",
) -> None:
    """Revoke an API token at once."""
    api_tokens.revoke_api_token(app().desk, api_tokens.RevokeApiToken(token_id, actor))
    typer.echo(f"token {token_id} revoked")

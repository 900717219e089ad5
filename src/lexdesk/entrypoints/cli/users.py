"""``lexdesk users``: accounts, their locks, MFA and roles, role grants and API tokens; the
account lifecycle's commands are in ``users_lifecycle``.

A password is never taken from the command line: argv is visible to every user of the machine
(``ps``, ``/proc``) and lands in shell history. It is read from a file (``--password-file``,
``-`` for stdin), from standard input when that is not a terminal (a pipe, a script), or typed
at a prompt that does not echo.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from lexdesk.domain.administration import RoleGrant
from lexdesk.entrypoints.cli import users_lifecycle
from lexdesk.entrypoints.cli.common import (
    JsonOption,
    app,
    emit_json,
    fail,
    fails_cleanly,
    parse_day,
)
from lexdesk.services import account_admin, api_tokens, enrolment, role_grants
from lexdesk.services.agencies import AddUser

cli = typer.Typer(help="User accounts, their locks and MFA, and API tokens.", no_args_is_help=True)
tokens_cli = typer.Typer(help="API tokens for system-to-system use.", no_args_is_help=True)
grants_cli = typer.Typer(
    help="Role grants that wait for a second administrator's approval.", no_args_is_help=True
)
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(grants_cli, name="grants")

UsernameArgument = Annotated[str, typer.Argument(help="The account's username.")]
GrantArgument = Annotated[str, typer.Argument(help="The request's id (rg-...).")]
AdminOption = Annotated[
    str, typer.Option("--as", help="An administrator of the agency (default: the operator).")
]


def _read_password(password_file: Path | None) -> str:
    stdin = typer.get_text_stream("stdin")
    if password_file is None and stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    where = "standard input" if password_file is None or str(password_file) == "-" else ""
    try:
        if where:
            text = stdin.read()
        else:
            assert password_file is not None
            text = password_file.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read the password file {password_file}: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"the password in {where or password_file} is not UTF-8 text")
    # Only the line ending goes: spaces are part of a passphrase.
    password = text.split("\n", 1)[0].removesuffix("\r")
    if not password:
        fail(
            f"no password in {where or password_file}: write it on the first line"
            " (or run the command at a terminal to be asked for it)"
        )
    return password


def _show_enrolment(code: enrolment.EnrolmentCode, as_json: bool, **extra: object) -> None:
    if as_json:
        emit_json({**extra, "enrolment_code": code.code, "enrolment_code_expires_at":
                   code.expires_at})  # fmt: skip
        return
    typer.echo(
        "Give the user this one-time enrolment code apart from the password (in person or by"
        " telephone); they enter it at their first sign-in to set up their authenticator. It"
        f" works until {code.expires_at:%Y-%m-%d %H:%M} UTC and will not be shown again:\n"
        f"  {code.code}"
    )


@cli.command("add")
@fails_cleanly
def add(
    username: UsernameArgument,
    agency: Annotated[str, typer.Option(help="The user's agency code.")],
    name: Annotated[str, typer.Option(help="The display name.")],
    role: Annotated[list[str], typer.Option(help="A role; repeat for several.")],
    password_file: Annotated[
        Path | None,
        typer.Option(
            help="Read the password from this file's first line ('-': standard input). Without"
            " it: asked at a terminal, else read from standard input."
        ),
    ] = None,
    ends_on: Annotated[
        str | None,
        typer.Option(
            help="A temporary account's last day (YYYY-MM-DD, in the agency's time zone): it"
            " cannot sign in after it and is removed."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user who signs in with a password and a TOTP code; prints the one-time enrolment
    code with which they set up their authenticator."""
    last_day = parse_day(ends_on, "--ends-on") if ends_on else None
    password = _read_password(password_file)
    command = AddUser(username, agency, name, tuple(role), ends_on=last_day)
    user, code = enrolment.create_account(app().desk, command, password)
    if not as_json:
        typer.echo(f"user {user.username} added to {user.agency_id} ({user.id})")
        if last_day:
            typer.echo(f"temporary: it works until the end of {last_day.isoformat()}")
        if code.pending_roles:
            typer.echo(f"roles awaiting a second administrator: {', '.join(code.pending_roles)}")
    extra = {"id": user.id, "username": user.username, "ends_on": last_day}
    _show_enrolment(code, as_json, **extra)


@cli.command("disable")
@fails_cleanly
def disable(
    username: UsernameArgument, actor: AdminOption = "system", as_json: JsonOption = False
) -> None:
    """Disable an account and end all its sessions (never one's own, nor the agency's last
    active administrator)."""
    ended = account_admin.disable_user(app().desk, account_admin.AccountCommand(username, actor))
    if as_json:
        emit_json({"username": username, "active": False, "sessions_ended": ended})
        return
    typer.echo(f"user {username} disabled; {ended} session(s) ended")


@cli.command("enable")
@fails_cleanly
def enable(
    username: UsernameArgument, actor: AdminOption = "system", as_json: JsonOption = False
) -> None:
    """Let a disabled account sign in again (a lock stays until it is unlocked)."""
    state = account_admin.enable_user(app().desk, account_admin.AccountCommand(username, actor))
    _show_state(state, "enabled", as_json)


@cli.command("unlock")
@fails_cleanly
def unlock(
    username: UsernameArgument, actor: AdminOption = "system", as_json: JsonOption = False
) -> None:
    """Release an account locked after too many failed sign-ins (a disabled account stays
    disabled until it is enabled)."""
    state = account_admin.unlock_user(app().desk, account_admin.AccountCommand(username, actor))
    _show_state(state, "unlocked", as_json)


def _show_state(state: account_admin.AccountState, done: str, as_json: bool) -> None:
    if as_json:
        emit_json({"username": state.username, "active": state.active, "locked": state.locked})
        return
    name = state.username
    if not state.active:
        typer.echo(
            f"user {name} {done}, but the account is still disabled and cannot sign in:"
            f" lexdesk users enable {name}"
        )
    elif state.locked:
        typer.echo(
            f"user {name} {done}, but the account is still locked and cannot sign in:"
            f" lexdesk users unlock {name}"
        )
    else:
        typer.echo(f"user {name} {done}: it can sign in")


@cli.command("roles")
@fails_cleanly
def roles(
    username: UsernameArgument,
    role: Annotated[list[str], typer.Option(help="A role the user is to hold; repeat.")],
    reason: Annotated[str, typer.Option(help="Why, for the second administrator.")] = "",
    actor: AdminOption = "system",
    as_json: JsonOption = False,
) -> None:
    """Give a user exactly these roles. Taking roles away is at once; an administrator's
    grant of legal, officer or admin waits for a second administrator (users grants)."""
    command = role_grants.ChangeRoles(username, tuple(role), actor, reason=reason)
    change = role_grants.change_roles(app().desk, command)
    held = sorted(r.value for r in change.user.roles)
    pending = change.pending
    if as_json:
        emit_json({"username": username, "roles": held, "pending": _grant_json(pending)})
        return
    typer.echo(f"user {username} holds: {', '.join(held) or 'no role'}")
    if pending is not None:
        typer.echo(
            f"request {pending.id} to grant {', '.join(sorted(pending.roles))} awaits a second"
            f" administrator: lexdesk users grants approve {pending.id}"
        )


@grants_cli.command("list")
@fails_cleanly
def list_grants(
    agency: Annotated[str, typer.Option(help="The agency whose requests to list.")],
    as_json: JsonOption = False,
) -> None:
    """The role grants that wait for a second administrator."""
    found = role_grants.pending_grants(app().desk, agency)
    if as_json:
        emit_json([_grant_json(g) for g in found])
        return
    if not found:
        typer.echo(f"no role grant of {agency} awaits approval")
    for g in found:
        typer.echo(
            f"{g.id}  {g.username}: {', '.join(sorted(g.roles))}, asked by {g.requested_by}"
            f" on {g.requested_at.isoformat()}" + (f" ({g.reason})" if g.reason else "")
        )


@grants_cli.command("approve")
@fails_cleanly
def approve_grant(
    grant_id: GrantArgument,
    reason: Annotated[str, typer.Option(help="A note kept with the decision.")] = "",
    actor: AdminOption = "system",
    as_json: JsonOption = False,
) -> None:
    """Approve a role grant: the roles are granted now."""
    command = role_grants.DecideGrant(grant_id, actor, reason=reason)
    change = role_grants.approve_grant(app().desk, command)
    held = sorted(r.value for r in change.user.roles)
    if as_json:
        emit_json({"id": grant_id, "status": "approved", "username": change.user.username,
                   "roles": held})  # fmt: skip
        return
    typer.echo(f"request {grant_id} approved: {change.user.username} holds {', '.join(held)}")


@grants_cli.command("refuse")
@fails_cleanly
def refuse_grant(
    grant_id: GrantArgument,
    reason: Annotated[str, typer.Option(help="Why, kept with the decision.")] = "",
    actor: AdminOption = "system",
    as_json: JsonOption = False,
) -> None:
    """Refuse a role grant: nothing is granted."""
    grant = role_grants.refuse_grant(
        app().desk, role_grants.DecideGrant(grant_id, actor, reason=reason)
    )
    if as_json:
        emit_json(_grant_json(grant))
        return
    typer.echo(f"request {grant_id} refused: {grant.username} was not granted anything")


def _grant_json(grant: RoleGrant | None) -> dict[str, object] | None:
    if grant is None:
        return None
    return {
        "id": grant.id,
        "username": grant.username,
        "roles": sorted(r.value for r in grant.roles),
        "requested_by": grant.requested_by,
        "requested_at": grant.requested_at,
        "reason": grant.reason,
        "status": grant.status,
        "decided_by": grant.decided_by,
        "decided_at": grant.decided_at,
        "decision_reason": grant.decision_reason,
    }


@cli.command("reset-mfa")
@fails_cleanly
def reset_mfa(
    username: UsernameArgument, actor: AdminOption = "system", as_json: JsonOption = False
) -> None:
    """Retire an account's authenticator (a lost phone); its sessions end, and it sets up a
    new one with the one-time enrolment code printed."""
    code = account_admin.reset_mfa(app().desk, account_admin.AccountCommand(username, actor))
    _show_enrolment(code, as_json, username=username)


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
    as_json: JsonOption = False,
) -> None:
    """Revoke an API token at once."""
    api_tokens.revoke_api_token(app().desk, api_tokens.RevokeApiToken(token_id, actor))
    if as_json:
        emit_json({"id": token_id, "revoked": True})
        return
    typer.echo(f"token {token_id} revoked")


# The account lifecycle (docs/accounts.md), listed after the commands above.
cli.command("disable-inactive")(users_lifecycle.disable_inactive)
cli.command("review")(users_lifecycle.review)

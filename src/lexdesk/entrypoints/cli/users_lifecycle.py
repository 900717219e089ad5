"""``lexdesk users disable-inactive`` and ``lexdesk users review``: the account lifecycle at the
command line (docs/accounts.md), registered on the ``users`` group."""

from __future__ import annotations

from typing import Annotated

import typer

from lexdesk.entrypoints.cli.common import JsonOption, app, emit_json, fails_cleanly
from lexdesk.queries.account_review import ReviewRow, review_of
from lexdesk.services import audit, context
from lexdesk.services.account_lifecycle import sweep_accounts


@fails_cleanly
def disable_inactive(as_json: JsonOption = False) -> None:
    """Now, what the worker does at every sweep: disable the accounts unused 90 days (never
    an agency's last active administrator), remove the temporary accounts past their end date,
    and revoke the API tokens unused 90 days. Each is on record."""
    done = sweep_accounts(app().desk, source="cli")
    if as_json:
        emit_json(
            {
                "disabled": done.disabled,
                "kept": done.kept,
                "removed": done.removed,
                "tokens_revoked": done.tokens_revoked,
            }
        )
        return
    for name in done.disabled:
        typer.echo(f"disabled {name}: inactive 90 days")
    for name in done.kept:
        typer.echo(
            f"kept {name}: inactive 90 days, but the last active administrator of its agency"
        )
    for name in done.removed:
        typer.echo(f"removed {name}: temporary account past its end date")
    for token_id in done.tokens_revoked:
        typer.echo(f"revoked API token {token_id}: unused 90 days")
    if not (done.disabled or done.kept or done.removed or done.tokens_revoked):
        typer.echo("no account is inactive 90 days or past its end date")


@fails_cleanly
def review(
    agency: Annotated[
        str | None, typer.Option(help="The agency whose accounts to review (default: all).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The annual account review: every account with its roles, when and by whom it was made,
    its last sign-in and its status (active, disabled, locked, temporary until, removed)."""
    built = app()
    if agency is not None:
        with built.desk.uow() as uow:
            context.agency(uow, agency)  # an unknown code is refused, not an empty review
    with built.engine.connect() as db:
        rows = review_of(db, agency)
    audit.record_read(
        built.desk,
        actor=built.desk.operator or audit.SYSTEM,
        agency=agency or "",
        object_type="account_review",
        object_id=agency or "all",
        source="cli",
        detail={"accounts": len(rows)},
    )
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo("no account" + (f" in {agency}" if agency else ""))
    for row in rows:
        typer.echo(_line(row))


def _line(row: ReviewRow) -> str:
    last = row.last_active_on.isoformat() if row.last_active_on else "never"
    return (
        f"{row.agency_id}  {row.username:<24} {row.status:<28} roles {' '.join(row.roles) or '-'};"
        f" made {row.created_at:%Y-%m-%d} by {row.created_by or 'unknown'}; last sign-in {last}"
    )

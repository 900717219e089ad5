"""``lexdesk notifications``: one's notifications, preferences and e-mail address;
``lexdesk webhooks``: an agency's webhook subscriptions, for its administrators."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from lexdesk.domain.errors import InvalidInput
from lexdesk.entrypoints.cli.common import ActorOption, JsonOption, app, emit_json, fails_cleanly
from lexdesk.queries import notifications as reads
from lexdesk.services import notifications as notes

cli = typer.Typer(
    help="One's notifications, what one is told and how, and one's e-mail address.",
    no_args_is_help=True,
)
webhooks_cli = typer.Typer(
    help="An agency's webhook subscriptions (signed per Standard Webhooks).", no_args_is_help=True
)


@cli.command("list")
@fails_cleanly
def list_notifications(
    actor: ActorOption,
    unread: Annotated[bool, typer.Option("--unread", help="Only the unread ones.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: JsonOption = False,
) -> None:
    """One's notifications, newest first."""
    built = app()
    user = notes.person(built.desk, actor)
    with built.engine.connect() as db:
        page = reads.notifications(db, user.id, unread=unread, limit=limit)
    if as_json:
        emit_json([asdict(row) | {"read": not row.unread} for row in page.rows])
        return
    typer.echo(f"{len(page.rows)} notification(s)")
    for row in page.rows:
        state = "unread" if row.unread else "read  "
        typer.echo(f"  {row.id}  {state}  {row.at:%Y-%m-%d %H:%M} UTC  {row.subject}")


@cli.command("read")
@fails_cleanly
def mark_read(
    actor: ActorOption,
    ids: Annotated[list[int] | None, typer.Argument(help="Notification ids.")] = None,
    all_of_them: Annotated[bool, typer.Option("--all", help="Every one.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Mark one's notifications read: those named, or --all."""
    if all_of_them == bool(ids):
        raise InvalidInput("name the notifications to mark read, or give --all")
    count = notes.mark_read(app().desk, actor, None if all_of_them else ids)
    if as_json:
        emit_json({"marked_read": count})
        return
    typer.echo(f"{count} notification(s) marked read")


@cli.command("prefs")
@fails_cleanly
def prefs(
    actor: ActorOption,
    topic: Annotated[
        str | None, typer.Option(help="received, answered, changed or reminder.")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="in_app or email.")] = None,
    on: Annotated[
        bool | None, typer.Option("--on/--off", help="Be told of the topic on the channel, or not.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show what one is told, on which channel; with --topic, --channel and --on or --off,
    change one of them first."""
    built = app()
    given = (topic is not None, channel is not None, on is not None)
    if any(given) and not all(given):
        raise InvalidInput("to change a preference give --topic, --channel and --on or --off")
    if topic is not None and channel is not None and on is not None:
        notes.set_preference(built.desk, actor, topic, channel, on)
    user = notes.person(built.desk, actor)
    with built.engine.connect() as db:
        table = reads.preferences(db, user.id)
        email = reads.email(db, user.id)
    if as_json:
        rows = [{"topic": t.value, "channel": c.value, "on": v} for (t, c), v in table.items()]
        emit_json({"email": email, "preferences": rows})
        return
    typer.echo(f"e-mail: {email or '(none)'}")
    for (each_topic, each_channel), value in table.items():
        typer.echo(f"  {each_topic.value:<9} {each_channel.value:<7} {'on' if value else 'off'}")


@cli.command("email")
@fails_cleanly
def email(
    actor: ActorOption,
    address: Annotated[str, typer.Argument(help="The e-mail address; empty ('') for none.")],
    user: Annotated[
        str | None, typer.Option(help="Another user of one's agency (administrators).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set one's e-mail address (or, for an administrator, a user's of the agency)."""
    notes.set_email(app().desk, actor, user or actor, address)
    shown = notes.check_email(address)
    if as_json:
        emit_json({"username": user or actor, "email": shown or None})
        return
    typer.echo(f"e-mail of {user or actor}: {shown or '(none)'}")


# -- webhooks ---------------------------------------------------------------------------------


@webhooks_cli.command("add")
@fails_cleanly
def add(
    actor: ActorOption,
    url: Annotated[str, typer.Argument(help="The receiving system's https address.")],
    topic: Annotated[
        list[str] | None, typer.Option(help="A topic (repeat for several; none: all).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Subscribe the agency's system at URL; prints its signing secret, once."""
    subscription_id, secret = notes.add_subscription(app().desk, actor, url, topic or [])
    if as_json:
        emit_json({"id": subscription_id, "secret": secret})
        return
    typer.echo(
        f"webhook {subscription_id} added. Its signing secret, shown only now:\n  {secret}\n"
        "Receivers verify each delivery per Standard Webhooks (webhook-id, webhook-timestamp, "
        "webhook-signature), e.g. standardwebhooks.Webhook(secret).verify(body, headers)."
    )


@webhooks_cli.command("list")
@fails_cleanly
def list_webhooks(actor: ActorOption, as_json: JsonOption = False) -> None:
    """The agency's subscriptions (never their secrets), with their last deliveries."""
    built = app()
    user = notes.administrator(built.desk, actor)
    with built.engine.connect() as db:
        rows = reads.subscriptions(db, user.agency_id, built.desk.clock.now())
    if as_json:
        emit_json([asdict(row) for row in rows])
        return
    typer.echo(f"{len(rows)} webhook subscription(s)")
    for row in rows:
        state = "active" if row.active else "disabled"
        typer.echo(f"  {row.id}  {state:<8}  {row.url}  topics: {', '.join(row.topics)}")
        for attempt in row.attempts:
            outcome = "delivered" if attempt.ok else "failed"
            typer.echo(f"      {attempt.at:%Y-%m-%d %H:%M} UTC {outcome} {attempt.detail}")


@webhooks_cli.command("rotate")
@fails_cleanly
def rotate(
    actor: ActorOption,
    subscription_id: Annotated[str, typer.Argument(help="The subscription id (whk-...).")],
    as_json: JsonOption = False,
) -> None:
    """A new signing secret, printed once; the old one keeps signing for 24 hours."""
    secret = notes.rotate_secret(app().desk, actor, subscription_id)
    if as_json:
        emit_json({"id": subscription_id, "secret": secret})
        return
    typer.echo(
        f"webhook {subscription_id}: new signing secret, shown only now:\n  {secret}\n"
        "The previous secret keeps signing beside it for 24 hours."
    )


@webhooks_cli.command("disable")
@fails_cleanly
def disable(
    actor: ActorOption,
    subscription_id: Annotated[str, typer.Argument(help="The subscription id (whk-...).")],
    as_json: JsonOption = False,
) -> None:
    """Stop delivering to the subscription."""
    notes.set_subscription_active(app().desk, actor, subscription_id, False)
    if as_json:
        emit_json({"id": subscription_id, "active": False})
        return
    typer.echo(f"webhook {subscription_id} disabled")


@webhooks_cli.command("enable")
@fails_cleanly
def enable(
    actor: ActorOption,
    subscription_id: Annotated[str, typer.Argument(help="The subscription id (whk-...).")],
    as_json: JsonOption = False,
) -> None:
    """Deliver to the subscription again."""
    notes.set_subscription_active(app().desk, actor, subscription_id, True)
    if as_json:
        emit_json({"id": subscription_id, "active": True})
        return
    typer.echo(f"webhook {subscription_id} enabled")

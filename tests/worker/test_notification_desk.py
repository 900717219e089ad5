"""The people-facing side of notifications, on SQLite and PostgreSQL: the header's count, the
list and marking read (web, API, command line), one's preferences and e-mail address, and an
agency's webhook subscriptions and dead letters for its administrators."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.domain.notifications import Channel, RetryPolicy
from lexdesk.services.worker import Schedule, Worker
from tests.lawful.harness import Lawful, book, issue


def shown_back(world: Lawful, user: str, refused: httpx.Response) -> httpx.Response:
    """A refused form: a redirect to its own page, which shows it by GET with why."""
    assert refused.status_code == 303 and "draft=drf-" in refused.headers["location"]
    return world.web(user, refused.headers["location"])


def deliver(world: Lawful, attempts: int = 8) -> Any:
    worker = Worker(
        world.desk, {}, name="test", schedule=Schedule(retry=RetryPolicy(max_attempts=attempts))
    )
    return worker.deliver()


def audited(world: Lawful, action: str) -> list[Any]:
    a = orm.audit_log
    with world.built.engine.connect() as db:
        return list(db.execute(select(a).where(a.c.action == action)))


def two_notifications(world: Lawful) -> tuple[Any, Any]:
    book(world, release=world.clock.now() + timedelta(days=5))
    book(world, nysid="22222222B", family_name="Otherperson")
    first = issue(world, "detainer", ("notify_release",))
    world.clock.advance(minutes=1)
    second = issue(world, "information_request", ("disclose:release_date",),
                   person="nysid:22222222B")  # fmt: skip
    assert deliver(world).expanded == 2
    return first, second


def test_the_header_counts_the_unread_and_the_list_marks_them(world: Lawful) -> None:
    first, second = two_notifications(world)
    home = world.web("doc-officer", "/")
    assert '>Notifications (2<span class="usa-sr-only"> unread</span>)' in home.text
    assert "Notifications (0" in world.web("ice-officer", "/").text  # not told of its own
    page = world.web("doc-officer", "/notifications")
    assert page.status_code == 200
    # Newest first, unread said in words, each linking to its instrument.
    assert page.text.index(f"/instruments/{second.id}") < page.text.index(
        f"/instruments/{first.id}"
    )
    assert page.text.count(">Unread</span>") == 2
    assert "Testperson" not in page.text and "Otherperson" not in page.text
    link = world.web("doc-officer", f"/instruments/{first.id}")
    assert link.status_code == 303
    assert link.headers["location"] == f"/cases/{first.case_id}#{first.id}"
    assert world.web("usao-officer", f"/instruments/{first.id}").status_code == 404

    n, u = orm.notifications, orm.users
    with world.built.engine.connect() as db:
        query = select(n.c.id).join(u, u.c.id == n.c.user_id).where(u.c.username == "doc-officer")
        mine = list(db.scalars(query.order_by(n.c.id)))
    refused = world.client.post(
        "/notifications/read",
        data={"id": str(mine[0])},
        headers={"Cookie": f"__Host-lexdesk={world.tokens['doc-officer']}"},
    )
    assert refused.status_code == 403  # no CSRF token
    # Another user cannot mark someone else's notification read.
    assert world.web("doc-legal", "/notifications/read", {"id": str(mine[0])}).status_code == 303
    assert world.web("doc-officer", "/notifications").text.count(">Unread</span>") == 2
    done = world.web("doc-officer", "/notifications/read", {"id": str(mine[0])})
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    page = world.web("doc-officer", "/notifications")
    assert page.text.count(">Unread</span>") == 1 and page.text.count(">Read</span>") == 1
    assert "Notifications (1<" in page.text
    unread_only = world.web("doc-officer", "/notifications?unread=1")
    assert f"/instruments/{second.id}" in unread_only.text
    assert f'/instruments/{first.id}"' not in unread_only.text
    assert world.web("doc-officer", "/notifications/read", {"all": "1"}).status_code == 303
    assert "Notifications (0<" in world.web("doc-officer", "/notifications").text
    assert audited(world, "notification.read")


def test_the_api_lists_pages_filters_and_marks_ones_own(world: Lawful) -> None:
    first, second = two_notifications(world)
    listed = world.get("doc-officer", "/notifications?limit=1")
    assert [i["instrument_id"] for i in listed["items"]] == [second.id]
    assert listed["unread"] == 2 and listed["items"][0]["read"] is False
    assert listed["items"][0]["link"] == f"/instruments/{second.id}"
    older = world.get("doc-officer", f"/notifications?limit=1&cursor={listed['next_cursor']}")
    assert [i["instrument_id"] for i in older["items"]] == [first.id]
    assert older["next_cursor"] is None
    assert world.get("ice-officer", "/notifications")["items"] == []
    theirs = listed["items"][0]["id"]
    other = world.api("doc-legal", "POST", "/notifications/read", json={"ids": [theirs]})
    assert other.status_code == 200 and other.json() == {"marked": 0}
    mine = world.api("doc-officer", "POST", "/notifications/read", json={"ids": [theirs]})
    assert mine.json() == {"marked": 1}
    unread = world.get("doc-officer", "/notifications?unread=true")
    assert [i["instrument_id"] for i in unread["items"]] == [first.id] and unread["unread"] == 1
    neither = world.api("doc-officer", "POST", "/notifications/read", json={})
    assert neither.status_code == 422 and "ids" in neither.json()["detail"]
    every = world.api("doc-officer", "POST", "/notifications/read", json={"all": True})
    assert every.json() == {"marked": 1}
    bad = world.api("doc-officer", "GET", "/notifications?cursor=abc")
    assert bad.status_code == 422


def test_preferences_on_the_page_with_the_address_checked(world: Lawful) -> None:
    page = world.web("doc-officer", "/notifications/preferences")
    assert page.status_code == 200
    assert "Reminders: a due time or a release is near" in page.text
    assert 'value="received/email" checked' in page.text  # the default
    wrong = world.web(
        "doc-officer",
        "/notifications/preferences",
        {"pref": ["received/in_app"], "email": "not an address"},
    )
    wrong = shown_back(world, "doc-officer", wrong)
    assert 'id="email-error"' in wrong.text and "is not an e-mail address" in wrong.text
    assert 'value="not an address"' in wrong.text
    assert world.get("doc-officer", "/notifications/preferences")["email"] is None  # unsaved
    assert not audited(world, "notification.preference")
    saved = world.web(
        "doc-officer",
        "/notifications/preferences",
        {"pref": ["received/in_app", "reminder/email"], "email": "officer@doc.example"},
    )
    assert saved.status_code == 303
    shown = world.get("doc-officer", "/notifications/preferences")
    on = {(p["topic"], p["channel"]) for p in shown["preferences"] if p["on"]}
    assert on == {("received", "in_app"), ("reminder", "email")}
    assert shown["email"] == "officer@doc.example"
    again = world.web("doc-officer", "/notifications/preferences?saved=1")
    assert "Your preferences are saved." in again.text
    assert 'value="changed/in_app">' in again.text  # now off
    assert audited(world, "notification.preference") and audited(world, "notification.email")


def test_preferences_through_the_api_and_the_command_line(world: Lawful) -> None:
    body = {"preferences": [{"topic": "answered", "channel": "email", "on": True}]}
    put = world.api("ice-officer", "PUT", "/notifications/preferences", json=body)
    assert put.status_code == 200
    assert {"topic": "answered", "channel": "email", "on": True} in put.json()["preferences"]
    webhook = {"preferences": [{"topic": "answered", "channel": "webhook", "on": True}]}
    assert world.api("ice-officer", "PUT", "/notifications/preferences",
                     json=webhook).status_code == 422  # fmt: skip
    bad = world.api("ice-officer", "PUT", "/notifications/preferences", json={"email": "x@y"})
    assert bad.status_code == 422 and "e-mail address" in bad.json()["detail"]
    good = world.api("ice-officer", "PUT", "/notifications/preferences",
                     json={"email": "officer@ice.example"})  # fmt: skip
    assert good.json()["email"] == "officer@ice.example"

    changed = world.cli_json(
        "notifications", "prefs", "--as", "ice-officer",
        "--topic", "changed", "--channel", "email", "--on",
    )  # fmt: skip
    assert {"topic": "changed", "channel": "email", "on": True} in changed["preferences"]
    assert changed["email"] == "officer@ice.example"
    half = world.cli("notifications", "prefs", "--as", "ice-officer", "--topic", "changed")
    assert half.exit_code == 2 and "--channel" in half.output
    unknown = world.cli("notifications", "prefs", "--as", "ice-officer", "--topic", "x",
                        "--channel", "email", "--off")  # fmt: skip
    assert unknown.exit_code == 2 and "unknown topic" in unknown.output
    wrong = world.cli("notifications", "email", "--as", "ice-officer", "nobody")
    assert wrong.exit_code == 2 and "is not an e-mail address" in wrong.output
    right = world.cli("notifications", "email", "--as", "ice-officer", "new@ice.example")
    assert right.exit_code == 0
    assert world.get("ice-officer", "/notifications/preferences")["email"] == "new@ice.example"


def test_the_command_line_lists_and_marks(world: Lawful) -> None:
    first, second = two_notifications(world)
    listed = world.cli_json("notifications", "list", "--as", "doc-officer")
    assert [row["instrument_id"] for row in listed] == [second.id, first.id]
    result = world.cli("notifications", "read", "--as", "doc-officer", "--all")
    assert result.exit_code == 0 and "2 notification(s)" in result.output
    assert world.cli_json("notifications", "list", "--as", "doc-officer", "--unread") == []


def test_webhooks_for_administrators_with_the_secret_shown_once(world: Lawful) -> None:
    assert world.web("doc-officer", "/admin/webhooks").status_code == 404
    empty = world.web("doc-admin", "/admin/webhooks", {"url": "ftp://nowhere"})
    assert 'id="url-error"' in shown_back(world, "doc-admin", empty).text
    form = {"url": "https://hooks.doc.example/lexdesk", "topics": ["received"]}
    added = world.web("doc-admin", "/admin/webhooks", form)
    assert added.status_code == 200
    secret = added.text.split('id="new-secret">')[1].split("<")[0]
    assert secret.startswith("whsec_") and "webhook-signature" in added.text
    page = world.web("doc-admin", "/admin/webhooks")
    assert "https://hooks.doc.example/lexdesk" in page.text and secret not in page.text
    w = orm.webhook_subscriptions
    with world.built.engine.connect() as db:
        (hook,) = db.execute(select(w)).all()
    assert hook.topics == ["received"] and hook.secret == secret
    assert world.web("ice-admin", f"/admin/webhooks/{hook.id}/rotate", {}).status_code == 404
    rotated = world.web("doc-admin", f"/admin/webhooks/{hook.id}/rotate", {})
    new = rotated.text.split('id="new-secret">')[1].split("<")[0]
    assert new != secret and "24 hours" in rotated.text
    with world.built.engine.connect() as db:
        again = db.execute(select(w)).one()
    assert again.secret == new and again.previous_secret == secret
    assert again.previous_until == world.clock.now() + timedelta(hours=24)
    assert "previous secret signs until" in world.web("doc-admin", "/admin/webhooks").text
    off = world.web("doc-admin", f"/admin/webhooks/{hook.id}/disable", {})
    assert off.status_code == 303
    assert ">disabled<" in world.web("doc-admin", "/admin/webhooks").text
    assert audited(world, "webhook.add") and audited(world, "webhook.rotate")
    assert audited(world, "webhook.disable")
    assert secret not in json.dumps([dict(r._mapping) for r in audited(world, "webhook.add")],
                                    default=str)  # fmt: skip


def test_webhooks_through_the_api_and_the_command_line(world: Lawful) -> None:
    made = world.api("nypd-admin", "POST", "/webhooks", json={"url": "https://h.example/x"})
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    hook = made.json()["id"]
    listed = world.get("nypd-admin", "/webhooks")
    assert [h["id"] for h in listed] == [hook] and made.json()["secret"] not in json.dumps(listed)
    assert sorted(listed[0]["topics"]) == ["answered", "changed", "received", "reminder"]
    assert world.get("doc-admin", "/webhooks") == []
    assert world.api("doc-admin", "POST", f"/webhooks/{hook}/rotate").status_code == 404
    assert world.api("nypd-officer", "GET", "/webhooks").status_code == 403
    rotated = world.api("nypd-admin", "POST", f"/webhooks/{hook}/rotate")
    assert rotated.json()["secret"] != made.json()["secret"]
    assert world.api("nypd-admin", "POST", f"/webhooks/{hook}/disable").status_code == 204
    assert world.get("nypd-admin", "/webhooks")[0]["active"] is False
    plain = world.api("nypd-admin", "POST", "/webhooks", json={"url": "http://h.example/x"})
    assert plain.status_code == 422 and "https" in plain.json()["detail"]

    added = world.cli_json("webhooks", "add", "--as", "court-admin", "https://c.example/h",
                           "--topic", "answered")  # fmt: skip
    assert added["secret"].startswith("whsec_")
    rows = world.cli_json("webhooks", "list", "--as", "court-admin")
    assert [(r["id"], r["topics"]) for r in rows] == [(added["id"], ["answered"])]
    assert added["secret"] not in json.dumps(rows) and "whsec_" not in json.dumps(rows)
    again = world.cli_json("webhooks", "rotate", "--as", "court-admin", added["id"])
    assert again["secret"] != added["secret"]
    assert world.cli("webhooks", "disable", "--as", "court-admin", added["id"]).exit_code == 0
    assert world.cli_json("webhooks", "list", "--as", "court-admin")[0]["active"] is False
    refused = world.cli("webhooks", "list", "--as", "court-officer")
    assert refused.exit_code == 2 and "may not user:admin" in refused.output
    foreign = world.cli("webhooks", "rotate", "--as", "doc-admin", added["id"])
    assert foreign.exit_code == 2


def test_dead_letters_of_ones_agency_are_tried_again(world: Lawful) -> None:
    from lexdesk.services import notifications

    notifications.set_email(world.desk, "doc-officer", "doc-officer", "officer@doc.example")
    book(world)
    issue(world, "detainer", ("notify_release",))
    report = deliver(world, attempts=1)  # no courier here: the one attempt fails, dead
    assert report.dead == {Channel.EMAIL.value: 1}
    page = world.web("doc-admin", "/admin/outbox")
    assert "officer@doc.example" in page.text and "Try again" in page.text
    assert "officer@doc.example" not in world.web("ice-admin", "/admin/outbox").text
    dead = world.get("doc-admin", "/webhooks/dead-letters")
    assert [d["address"] for d in dead] == ["officer@doc.example"]
    assert world.get("ice-admin", "/webhooks/dead-letters") == []
    foreign = world.api("ice-admin", "POST", "/webhooks/dead-letters/retry",
                        json={"ids": [dead[0]["id"]]})  # fmt: skip
    assert foreign.status_code == 404
    assert (
        world.web("ice-admin", "/admin/outbox/retry", {"id": str(dead[0]["id"])}).status_code == 404
    )
    retried = world.web("doc-admin", "/admin/outbox/retry", {"id": str(dead[0]["id"])})
    assert retried.status_code == 303 and retried.headers["location"] == "/admin/outbox?retried=1"
    m = orm.outbox_messages
    with world.built.engine.connect() as db:
        assert db.execute(select(m.c.status, m.c.attempts)).one() == ("pending", 0)
    assert (
        "1 message(s) back in the queue."
        in world.web("doc-admin", retried.headers["location"]).text
    )
    (entry,) = audited(world, "outbox.retry")
    assert entry.agency == "doc" and entry.actor == "doc-admin"
    deliver(world, attempts=1)
    again = world.api("doc-admin", "POST", "/webhooks/dead-letters/retry", json={"all": True})
    assert again.json() == {"retried": 1}

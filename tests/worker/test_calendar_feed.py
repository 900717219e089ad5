"""The calendar feed (``/calendar/{token}.ics``): the due times each agency may see, through a
revocable token; a requester's feed never shows a date derived from a release it was not told
of. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from lexdesk.adapters import orm
from lexdesk.services import notifications
from tests.lawful.harness import Lawful, book, formats, issue

PREFIX = "http://127.0.0.1:8000/calendar/"


def feed_url(world: Lawful, user: str) -> str:
    """Make a feed on the preferences page, as the user does: the URL is shown once."""
    made = world.web(user, "/notifications/calendar", {})
    assert made.status_code == 200, made.text
    assert 'id="feed-url"' in made.text
    url = made.text.split('id="feed-url">')[1].split("<")[0]
    assert url.startswith(PREFIX) and url.endswith(".ics")
    again = world.web(user, "/notifications/preferences")
    assert url not in again.text  # shown once
    return url


def fetch(world: Lawful, url: str) -> Any:
    return world.client.get(url.removeprefix("http://127.0.0.1:8000"))


def events(document: bytes) -> list[Any]:
    calendar = Calendar.from_ical(document)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def ical_forms(moment: datetime) -> set[str]:
    """``formats`` and the forms iCalendar writes a time in (UTC and New York)."""
    from zoneinfo import ZoneInfo

    shown = formats(moment)
    for zone in (UTC, ZoneInfo("America/New_York")):
        local = moment.astimezone(zone)
        shown |= {local.strftime("%Y%m%dT%H%M%S"), local.strftime("%Y%m%dT%H%M")}
    return shown


def test_each_agency_sees_the_due_times_it_may_see(world: Lawful) -> None:
    release = world.clock.now() + timedelta(days=5)
    book(world, release=release)
    detainer = issue(world, "detainer", ("hold",))
    request = issue(world, "information_request", ("disclose:release_date",))
    t = orm.instruments
    with world.built.engine.connect() as db:
        due = dict(db.execute(select(t.c.id, t.c.due_at)).all())
        issuer_due = dict(db.execute(select(t.c.id, t.c.issuer_due_at)).all())
    held_until = due[detainer.id]
    assert held_until is not None and issuer_due[detainer.id] is None  # from the release

    custodian = fetch(world, feed_url(world, "doc-officer"))
    assert custodian.status_code == 200
    assert custodian.headers["content-type"].startswith("text/calendar")
    found = {str(e["uid"]): e for e in events(custodian.content)}
    assert set(found) == {f"{detainer.id}@lexdesk", f"{request.id}@lexdesk"}
    hold = found[f"{detainer.id}@lexdesk"]
    assert hold.decoded("dtstart") == held_until
    assert str(hold["summary"]) == f"Due: Detainer {detainer.reference} from ICE".replace("  ", " ")
    assert str(hold["url"]) == f"http://127.0.0.1:8000/instruments/{detainer.id}"
    assert hold.decoded("dtstamp") == world.clock.now()
    assert "Testperson" not in custodian.text and "Avery" not in custodian.text

    requester = fetch(world, feed_url(world, "ice-officer"))
    assert requester.status_code == 200
    shown = {str(e["uid"]): e for e in events(requester.content)}
    # ICE waits for the information request's answer, at the time it was given; the
    # detainer's due time runs from a release ICE was not told of: no event, no date.
    assert set(shown) == {f"{request.id}@lexdesk"}
    assert shown[f"{request.id}@lexdesk"].decoded("dtstart") == issuer_due[request.id]
    assert str(shown[f"{request.id}@lexdesk"]["summary"]).startswith("Answer due:")
    for moment in (release, held_until):
        assert not any(text in requester.text for text in ical_forms(moment)), moment
    assert detainer.id not in requester.text


def test_a_feed_is_the_same_uid_each_time_and_revoked_it_is_gone(world: Lawful) -> None:
    book(world, release=world.clock.now() + timedelta(days=5))
    issue(world, "detainer", ("hold",))
    url = feed_url(world, "doc-legal")
    first = events(fetch(world, url).content)
    world.clock.advance(minutes=5)
    second = events(fetch(world, url).content)
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in second]
    assert fetch(world, PREFIX + "x" * 43 + ".ics").status_code == 404
    assert world.web("doc-legal", "/notifications/calendar/revoke", {}).status_code == 303
    gone = fetch(world, url)
    assert gone.status_code == 404 and "BEGIN:VCALENDAR" not in gone.text


def test_a_feed_answers_nothing_for_a_disabled_user_or_one_who_reads_no_instruments(
    world: Lawful,
) -> None:
    token = notifications.create_feed(world.desk, "doc-officer")
    assert fetch(world, f"/calendar/{token}.ics").status_code == 200
    from lexdesk.services import account_admin

    account_admin.disable_user(
        world.desk, account_admin.AccountCommand("doc-officer", "system", "test")
    )
    assert fetch(world, f"/calendar/{token}.ics").status_code == 404
    # An auditor reads no instruments: the page offers no feed.
    page = world.web("doc-auditor", "/notifications/preferences")
    assert page.status_code == 200 and "Calendar feed" not in page.text
    assert world.web("doc-auditor", "/notifications/calendar", {}).status_code == 404

"""Retries, preferences and the settings of the desk's clock, in memory."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from lexdesk.adapters.couriers import SmtpServer, message_id
from lexdesk.config import Settings
from lexdesk.domain.notifications import (
    Channel,
    RetryPolicy,
    Topic,
    message_key,
    wants,
)

NOW = datetime(2020, 1, 17, 15, 0, tzinfo=UTC)


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base=timedelta(seconds=30), cap=timedelta(hours=6))
    rng = random.Random(7)
    for attempt in range(1, 20):
        ceiling = min(timedelta(hours=6), timedelta(seconds=30) * 2 ** (attempt - 1))
        waits = [policy.next_attempt(attempt, NOW, rng) for _ in range(200)]
        assert all(w is not None for w in waits)
        spans = [w - NOW for w in waits if w is not None]
        assert all(timedelta(seconds=1) <= s <= max(ceiling, timedelta(seconds=1)) for s in spans)
        if ceiling >= timedelta(minutes=2):
            assert len(set(spans)) > 150  # jittered: failures together do not return together


def test_after_the_last_attempt_a_message_is_dead() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.next_attempt(2, NOW) is not None
    assert policy.next_attempt(3, NOW) is None


def test_preferences_default_to_the_desk_for_everything_and_email_for_what_needs_action() -> None:
    assert wants({}, Topic.ANSWERED, Channel.IN_APP)
    assert wants({}, Topic.RECEIVED, Channel.EMAIL)
    assert wants({}, Topic.REMINDER, Channel.EMAIL)
    assert not wants({}, Topic.CHANGED, Channel.EMAIL)
    assert not wants({(Topic.RECEIVED, Channel.IN_APP): False}, Topic.RECEIVED, Channel.IN_APP)


def test_one_key_per_event_channel_and_recipient_and_one_id_per_key() -> None:
    key = message_key("instrument/ins-1/2/doc", Channel.WEBHOOK, "whk-1")
    assert key == "instrument/ins-1/2/doc/webhook/whk-1"
    assert message_id(key) == message_id(key) != message_id(key + "x")
    assert message_id(key).startswith("msg_")


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example:2525", SmtpServer("mail.example", 2525, "none")),
        ("smtp://mail.example?starttls=1", SmtpServer("mail.example", 25, "starttls")),
        ("smtps://u%40x:p%20w@mail.example", SmtpServer("mail.example", 465, "ssl", "u@x", "p w")),
    ],
)
def test_smtp_urls(url: str, server: SmtpServer) -> None:
    assert SmtpServer.from_url(url) == server


def test_a_bad_smtp_url_says_what_it_should_look_like() -> None:
    with pytest.raises(ValueError, match="must look like smtp://host:25"):
        SmtpServer.from_url("http://mail.example")


def test_reminder_hours_are_checked() -> None:
    assert Settings(reminders="24, 2,0.5").reminder_hours == (24.0, 2.0, 0.5)
    with pytest.raises(ValidationError, match="hours separated by commas"):
        Settings(reminders="a day")
    with pytest.raises(ValidationError, match="positive number of hours"):
        Settings(reminders="24,-1")


def test_a_bad_smtp_setting_is_refused_with_what_to_write() -> None:
    with pytest.raises(ValidationError, match="LEXDESK_SMTP_URL must look like smtp://host:25"):
        Settings(smtp_url="mail.example:25")
    assert Settings(smtp_url="").smtp_url is None

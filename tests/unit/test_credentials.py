"""Account credential rules: password policy and hashing, TOTP, tokens, lockout, sessions."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lexdesk.domain.credentials import (
    API_TOKEN_PREFIX,
    REFUSED_AS_COMMON,
    LockoutPolicy,
    PasswordPolicy,
    SessionPolicy,
    common_passwords,
    hash_password,
    needs_rehash,
    new_api_token,
    new_session_token,
    new_totp_secret,
    token_digest,
    totp_step,
    totp_uri,
    verify_password,
    verify_totp,
)
from lexdesk.domain.errors import InvalidInput

POLICY = PasswordPolicy()  # with the shipped list of common passwords
T0 = datetime(2025, 3, 4, 9, 0, 0, tzinfo=UTC)  # a multiple of 30 s: the start of a TOTP step


def accepted(password: str, username: str = "jsmith") -> bool:
    try:
        POLICY.check(password, username=username)
    except InvalidInput:
        return False
    return True


def test_seven_characters_are_refused_and_eight_accepted() -> None:
    with pytest.raises(InvalidInput, match="7 characters long; use at least 8"):
        POLICY.check("tz8#kQa", username="jsmith")
    assert accepted("tz8#kQav")


def test_long_passphrases_are_accepted_up_to_the_limit() -> None:
    assert accepted("a quiet ferry leaves the dock at dawn and nobody waves goodbye!!"[:64])
    assert accepted("x7" * 128)
    with pytest.raises(InvalidInput, match="257 characters long; use at most 256"):
        POLICY.check("x7" * 128 + "q", username="jsmith")


def test_length_is_counted_in_code_points_after_nfkc() -> None:
    # Seven ligatures "ﬃ" normalise to 21 letters; seven accented letters stay seven.
    assert accepted("\ufb03" * 7)
    assert not accepted("\u00e9" * 7)
    assert not accepted("e\u0301" * 3 + "e")  # composes to four characters


@pytest.mark.parametrize(
    "password", ["password", "PASSWORD", "Password1", "iloveyou", "qwertyuiop"]
)
def test_a_common_password_is_refused_with_the_reason(password: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        POLICY.check(password, username="jsmith")
    assert str(refusal.value) == REFUSED_AS_COMMON


def test_the_shipped_list_is_long_enough_and_loaded_once() -> None:
    assert len(common_passwords()) >= 3000
    assert common_passwords() is common_passwords()
    assert "#1stunna" in common_passwords()  # entries that start with "#" are not comments
    assert not any(entry.startswith("# ") for entry in common_passwords())


def test_a_callers_own_list_is_compared_without_case() -> None:
    policy = PasswordPolicy(blocklist=frozenset({"Lexdesk-Spring-2025"}))
    with pytest.raises(InvalidInput, match="commonly used"):
        policy.check("lexdesk-spring-2025", username="jsmith")


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("jsmith-rocks-2025", "jsmith"),
        ("xxJSMITHxx99", "jsmith"),
        ("j.doe.for.ever", "J.Doe@ice.gov"),
    ],
)
def test_a_password_containing_the_username_is_refused(password: str, username: str) -> None:
    with pytest.raises(InvalidInput, match="contains your username"):
        POLICY.check(password, username=username)


def test_a_very_short_username_does_not_forbid_every_password_containing_it() -> None:
    assert accepted("walrus-umbrella-43", username="al")


candidates = st.text(st.characters(codec="utf-8"), min_size=8, max_size=64)


@settings(max_examples=200)
@given(candidates, st.from_regex(r"[a-z][a-z0-9._-]{2,15}", fullmatch=True))
def test_any_long_enough_uncommon_password_without_the_username_is_accepted(
    password: str, username: str
) -> None:
    folded = unicodedata.normalize("NFKC", password).casefold()
    assume(8 <= len(unicodedata.normalize("NFKC", password)) <= 64)
    assume(folded not in common_passwords())
    assume(username.casefold() not in folded)
    POLICY.check(password, username=username)


def test_a_hash_verifies_its_password_and_no_other() -> None:
    stored = hash_password("tz8#kQav-ferry")
    assert verify_password(stored, "tz8#kQav-ferry")
    assert not verify_password(stored, "tz8#kQav-ferrY")
    assert not verify_password(stored, "")
    assert not verify_password("not a hash", "tz8#kQav-ferry")


def test_a_65th_character_matters_at_verification() -> None:
    sixty_five = "a quiet ferry leaves the dock at dawn and nobody waves goodbye!!!"
    assert len(sixty_five) == 65
    stored = hash_password(sixty_five)
    assert not verify_password(stored, sixty_five[:64])
    assert verify_password(stored, sixty_five)


def test_the_same_password_hashes_differently_and_the_hash_hides_it() -> None:
    first, second = hash_password("tz8#kQav-ferry"), hash_password("tz8#kQav-ferry")
    assert first != second  # a fresh salt each time
    assert first.startswith("$argon2id$")
    assert "tz8#kQav-ferry" not in first
    assert "tz8#kQav" not in first


def test_a_password_typed_in_another_unicode_form_still_verifies() -> None:
    stored = hash_password("caf\u00e9-au-lait-please")
    assert verify_password(stored, "cafe\u0301-au-lait-please")


@pytest.fixture(autouse=True)
def _the_desks_own_parameters(production_hasher: object) -> None:
    """These tests are about the hashes every deployment makes, not the suite's cheap ones."""


def test_the_desk_hashes_with_rfc_9106s_second_profile() -> None:
    assert hash_password("tz8#kQav-ferry").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_only_hashes_made_with_weaker_parameters_need_rehashing() -> None:
    from argon2 import PasswordHasher

    assert not needs_rehash(hash_password("tz8#kQav-ferry"))
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    assert needs_rehash(weaker.hash("tz8#kQav-ferry"))


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(at: datetime) -> str:
    return str(pyotp.TOTP(SECRET).at(at))


def test_a_current_code_is_accepted_once() -> None:
    at = T0 + timedelta(seconds=12)
    step = verify_totp(SECRET, code_at(at), at=at, last_used_step=None)
    assert step == totp_step(at)
    # Once its step is recorded, the code is refused, even typed again a second later.
    assert verify_totp(SECRET, code_at(at), at=at, last_used_step=step) is None
    later = at + timedelta(seconds=1)
    assert verify_totp(SECRET, code_at(later), at=later, last_used_step=step) is None


def test_the_next_steps_code_is_accepted_after_a_use() -> None:
    step = totp_step(T0)
    at = T0 + timedelta(seconds=30)
    assert verify_totp(SECRET, code_at(at), at=at, last_used_step=step) == step + 1


@pytest.mark.parametrize(
    "age", [timedelta(seconds=30), timedelta(seconds=31), timedelta(minutes=5)]
)
def test_a_code_from_a_previous_step_is_refused(age: timedelta) -> None:
    assert verify_totp(SECRET, code_at(T0), at=T0 + age, last_used_step=None) is None


def test_a_code_from_the_next_step_is_refused() -> None:
    assert (
        verify_totp(SECRET, code_at(T0 + timedelta(seconds=30)), at=T0, last_used_step=None) is None
    )


def test_a_code_is_valid_for_the_whole_of_its_step_and_no_longer() -> None:
    code = code_at(T0)
    assert verify_totp(SECRET, code, at=T0 + timedelta(seconds=29.99), last_used_step=None) == (
        totp_step(T0)
    )
    assert verify_totp(SECRET, code, at=T0 + timedelta(seconds=30), last_used_step=None) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12 345", "12345a", "١٢٣٤٥٦", " 123456"])
def test_anything_but_six_ascii_digits_is_refused(code: str) -> None:
    assert verify_totp(SECRET, code, at=T0, last_used_step=None) is None


def test_totp_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        verify_totp(SECRET, "123456", at=datetime(2025, 3, 4, 9, 0), last_used_step=None)


def test_a_new_totp_secret_is_160_bits_and_provisions_an_authenticator() -> None:
    secret = new_totp_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret != new_totp_secret()
    uri = totp_uri(secret, "jsmith@doc.example.gov")
    assert uri.startswith("otpauth://totp/lexdesk:jsmith%40doc.example.gov?")
    assert f"secret={secret}" in uri
    assert "issuer=lexdesk" in uri


def test_tokens_are_long_random_and_stored_only_as_digests() -> None:
    session = new_session_token()
    assert len(session) >= 43  # 32 bytes in URL-safe base64: 256 bits
    assert session != new_session_token()
    api = new_api_token()
    assert api.startswith(API_TOKEN_PREFIX)
    assert len(api) >= len(API_TOKEN_PREFIX) + 43
    assert re.fullmatch(r"[0-9a-f]{64}", token_digest(session))
    assert token_digest(session) == token_digest(session)
    assert token_digest(session) != token_digest(api)


LOCKOUT = LockoutPolicy()


def test_five_failures_within_fifteen_minutes_lock_the_account() -> None:
    failures = [T0 + timedelta(minutes=3 * i) for i in range(5)]  # the last at 12 minutes
    assert LOCKOUT.should_lock(failures, now=failures[-1])
    assert not LOCKOUT.should_lock(failures[:4], now=failures[3])


def test_five_failures_spread_over_more_than_fifteen_minutes_do_not() -> None:
    failures = [T0 + timedelta(minutes=4 * i) for i in range(5)]  # spread over 16 minutes
    assert not LOCKOUT.should_lock(failures, now=failures[-1])


def test_a_failure_exactly_fifteen_minutes_ago_still_counts() -> None:
    failures = [T0, *(T0 + timedelta(minutes=15) for _ in range(4))]
    assert LOCKOUT.should_lock(failures, now=T0 + timedelta(minutes=15))
    assert not LOCKOUT.should_lock(failures, now=T0 + timedelta(minutes=15, microseconds=1))


SESSIONS = SessionPolicy()


@pytest.mark.parametrize(
    ("idle_for", "expected"),
    [
        (timedelta(minutes=29, seconds=59), None),
        (timedelta(minutes=30), "idle"),
        (timedelta(minutes=30, seconds=1), "idle"),
    ],
)
def test_a_session_idle_for_thirty_minutes_has_ended(
    idle_for: timedelta, expected: str | None
) -> None:
    created = T0
    last_seen = T0 + timedelta(hours=1)
    assert SESSIONS.is_expired(created, last_seen, last_seen + idle_for) == expected


def test_a_busy_session_ends_after_twelve_hours() -> None:
    created = T0
    now = T0 + timedelta(hours=12, seconds=1)
    assert SESSIONS.is_expired(created, now - timedelta(seconds=5), now) == "absolute"
    now = T0 + timedelta(hours=11, minutes=59, seconds=59)
    assert SESSIONS.is_expired(created, now - timedelta(seconds=5), now) is None

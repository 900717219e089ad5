"""Due dates: business days, the 8 CFR 287.7(d) hold, dates set by an issuer, explanations."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexdesk.domain.calendar import WEEKEND, BusinessCalendar, calendar_for
from lexdesk.domain.deadlines import (
    BUSINESS_DAYS,
    BUSINESS_HOURS,
    HOLD_HOURS,
    SET_BY_ISSUER,
    DeadlinePolicy,
    DueDate,
    HoldBound,
    detainer_hold_end,
    due_for,
    due_in_business_days,
    set_by_issuer,
)
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import InstrumentKind

NEW_YORK = ZoneInfo("America/New_York")
POLICY = DeadlinePolicy()
NY = calendar_for("NY")
FEDERAL = calendar_for(None)
MLK_DAY = (date(2020, 1, 20), "Martin Luther King Jr. Day")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def hold(start: datetime, calendar: BusinessCalendar = FEDERAL) -> DueDate:
    return detainer_hold_end(start, calendar=calendar, policy=POLICY)


# FED-DET-02, legal.md §1.3: the worked examples and a holiday.


def test_release_eligible_monday_1700_is_held_until_wednesday_1700() -> None:
    due = hold(local(2020, 1, 6, 17))
    assert due.due_at == local(2020, 1, 8, 17)
    assert due.skipped == ()


def test_release_eligible_thursday_1700_is_held_until_monday_1700() -> None:
    due = hold(local(2020, 1, 9, 17))
    assert due.due_at == local(2020, 1, 13, 17)
    assert due.skipped == ((date(2020, 1, 11), WEEKEND), (date(2020, 1, 12), WEEKEND))


def test_a_holiday_moves_the_hold_end_one_more_day() -> None:
    due = hold(local(2020, 1, 17, 17))
    assert due.due_at == local(2020, 1, 22, 17)
    assert MLK_DAY in due.skipped


def test_hold_records_its_rule_and_citation_in_utc() -> None:
    due = hold(local(2020, 1, 6, 17))
    assert (due.rule, due.amount, due.unit) == (HOLD_HOURS, 48, "hours")
    assert due.citation == "8 CFR 287.7(d)"
    assert due.start == datetime(2020, 1, 6, 22, tzinfo=UTC)
    assert due.due_at.utcoffset() == timedelta(0)
    assert due.calendar == FEDERAL.version


def test_hold_counts_in_the_policys_local_time_whatever_the_inputs_zone() -> None:
    monday_1700_new_york = datetime(2020, 1, 6, 22, tzinfo=UTC)
    assert hold(monday_1700_new_york).due_at == datetime(2020, 1, 8, 22, tzinfo=UTC)


def test_a_weekend_release_starts_the_clock_on_monday() -> None:
    due = hold(local(2020, 1, 11, 10))
    assert due.due_at == local(2020, 1, 15, 0)
    assert due.skipped[0] == (date(2020, 1, 11), WEEKEND)


def test_hold_across_spring_forward_counts_wall_clock_hours() -> None:
    # Clocks go forward on Sun 8 Mar 2020, a skipped day: the hold still ends at 17:00 local.
    due = hold(local(2020, 3, 6, 17))
    assert due.due_at == local(2020, 3, 10, 17)
    assert due.due_at == datetime(2020, 3, 10, 21, tzinfo=UTC)


def test_hold_across_fall_back_counts_wall_clock_hours() -> None:
    due = hold(local(2020, 10, 30, 17))
    assert due.due_at == datetime(2020, 11, 3, 22, tzinfo=UTC)


def test_hold_hours_default_to_the_policy() -> None:
    policy = DeadlinePolicy(detainer_hold_hours=24)
    due = detainer_hold_end(local(2020, 1, 6, 17), calendar=FEDERAL, policy=policy)
    assert due.due_at == local(2020, 1, 7, 17)


# Business days.


def test_information_request_is_due_ten_business_days_later_skipping_mlk_day() -> None:
    due = due_in_business_days(local(2020, 1, 7, 9, 30), 10, calendar=NY, policy=POLICY)
    assert due.due_at == datetime(2020, 1, 22, 22, tzinfo=UTC)  # 17:00 EST
    assert (due.rule, due.amount, due.unit, due.local_time) == (
        BUSINESS_DAYS,
        10,
        "business_days",
        time(17, 0),
    )
    assert MLK_DAY in due.skipped


def test_new_york_state_holiday_is_skipped_on_the_new_york_calendar() -> None:
    issued = local(2020, 2, 3, 9)
    on_ny = due_in_business_days(issued, 10, calendar=NY, policy=POLICY)
    federal_only = due_in_business_days(issued, 10, calendar=FEDERAL, policy=POLICY)
    assert on_ny.due_at == local(2020, 2, 19, 17)
    assert federal_only.due_at == local(2020, 2, 18, 17)
    assert (date(2020, 2, 12), "Lincoln's Birthday") in on_ny.skipped


def test_business_days_due_time_follows_dst() -> None:
    due = due_in_business_days(local(2020, 3, 2, 9), 10, calendar=NY, policy=POLICY)
    assert due.due_at == datetime(2020, 3, 16, 21, tzinfo=UTC)  # 17:00 EDT, not EST


def test_naive_datetime_is_refused_with_what_to_do() -> None:
    with pytest.raises(InvalidInput, match="has no timezone: give an aware datetime"):
        due_in_business_days(datetime(2020, 1, 7, 9), 10, calendar=NY, policy=POLICY)
    with pytest.raises(InvalidInput, match="release_eligible_at"):
        detainer_hold_end(datetime(2020, 1, 7, 9), calendar=NY, policy=POLICY)


# Dates set by the issuer.


def test_past_return_date_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        set_by_issuer(local(2020, 1, 10), now=local(2020, 1, 17), rule_name="return date")
    assert str(refused.value) == (
        "return date 2020-01-10 is in the past (now 2020-01-17): give a future date"
    )


def test_a_return_date_earlier_the_same_day_shows_the_times() -> None:
    with pytest.raises(InvalidInput, match=r"2020-01-17T09:00-05:00 is in the past"):
        set_by_issuer(
            local(2020, 1, 17, 9),
            now=local(2020, 1, 17, 10),
            rule_name="return date",
            timezone="America/New_York",
        )


def test_future_return_date_is_kept_as_given() -> None:
    due = set_by_issuer(local(2020, 2, 3, 10), now=local(2020, 1, 17), rule_name="return date")
    assert (due.due_at, due.rule, due.label) == (
        local(2020, 2, 3, 10),
        SET_BY_ISSUER,
        "return date",
    )


# Stored due dates: JSON, recompute, explain.


def test_due_date_json_round_trip() -> None:
    for due in (
        due_in_business_days(local(2020, 1, 7, 9), 10, calendar=NY, policy=POLICY),
        hold(local(2020, 1, 17, 17)),
        set_by_issuer(local(2020, 2, 3), now=local(2020, 1, 17), rule_name="return date"),
    ):
        stored = json.loads(json.dumps(due.to_json()))
        assert DueDate.from_json(stored) == due


def test_malformed_stored_due_date_is_refused() -> None:
    stored = hold(local(2020, 1, 17, 17)).to_json()
    with pytest.raises(InvalidInput, match="malformed stored due date"):
        DueDate.from_json({**stored, "due_at": "not a date"})
    with pytest.raises(InvalidInput, match="has no timezone"):
        DueDate.from_json({**stored, "start": "2020-01-17T17:00:00"})


def test_recompute_on_the_same_calendar_gives_the_same_due_date() -> None:
    info = due_in_business_days(local(2020, 2, 3, 9), 10, calendar=NY, policy=POLICY)
    detainer = hold(local(2020, 1, 17, 17))
    assert DueDate.from_json(info.to_json()).recompute(NY) == info
    assert DueDate.from_json(detainer.to_json()).recompute(FEDERAL) == detainer


def test_recompute_on_another_calendar_gives_another_due_date() -> None:
    info = due_in_business_days(local(2020, 2, 3, 9), 10, calendar=NY, policy=POLICY)
    again = info.recompute(FEDERAL)
    assert again.due_at == local(2020, 2, 18, 17)
    assert again.calendar == FEDERAL.version
    assert hold(local(2020, 2, 11, 17)).recompute(NY).due_at == local(2020, 2, 14, 17)


def test_explain_says_the_rule_the_start_and_the_holidays_skipped() -> None:
    due = due_in_business_days(local(2020, 1, 7, 9), 10, calendar=NY, policy=POLICY)
    assert due.explain() == (
        "Due Wed 22 Jan 2020 17:00 EST: 10 business days after Tue 7 Jan 2020, skipping "
        "Sat 11 Jan, Sun 12 Jan, Sat 18 Jan, Sun 19 Jan, Mon 20 Jan (Martin Luther King Jr. Day); "
        f"calendar {NY.version}."
    )


def test_explain_a_hold_cites_the_regulation() -> None:
    text = hold(local(2020, 1, 17, 17)).explain()
    assert text.startswith("Due Wed 22 Jan 2020 17:00 EST: 48 hours after Fri 17 Jan 2020 17:00")
    assert "(8 CFR 287.7(d))" in text
    assert "Mon 20 Jan (Martin Luther King Jr. Day)" in text


# Dispatch per kind.


def due(kind: InstrumentKind, **kwargs: object) -> DueDate | None:
    args: dict[str, object] = {"issued_at": local(2020, 2, 3, 9), "now": local(2020, 2, 3, 9)}
    args |= {"policy": POLICY, "calendar": NY} | kwargs
    return due_for(kind, **args)  # type: ignore[arg-type]


def test_due_for_information_request_and_referral_count_business_days() -> None:
    info = due(InstrumentKind.INFORMATION_REQUEST)
    referral = due(InstrumentKind.REFERRAL)
    assert info is not None
    assert info.amount == 10
    assert info.due_at == local(2020, 2, 19, 17)
    assert referral is not None
    assert referral.amount == 30


BUSINESS_HOLD = HoldBound(48, BUSINESS_HOURS, "8 CFR 287.7(d)", "a pack that counts so")


@pytest.mark.parametrize("kind", [InstrumentKind.DETAINER, InstrumentKind.TRANSFER_REQUEST])
def test_due_for_a_hold_ends_from_the_expected_release(kind: InstrumentKind) -> None:
    assert due(kind) is None
    held = due(kind, release_eligible_at=local(2020, 2, 11, 17), hold=BUSINESS_HOLD)
    # Lincoln's Birthday (12 Feb) is a NY holiday but not a federal one: it lengthens no hold.
    assert held is not None
    assert held.due_at == local(2020, 2, 13, 17)


def test_a_hold_counts_48_clock_hours_by_default_weekends_and_holidays_included() -> None:
    friday = local(2020, 2, 14, 17)  # Presidents' Day weekend follows
    held = due(InstrumentKind.DETAINER, release_eligible_at=friday)
    assert held is not None and held.rule == "hold_clock_hours"
    assert held.due_at == local(2020, 2, 16, 17)  # Sunday, not Wednesday
    assert held.derived_from == "release_date"
    assert "I-247A" in held.explain() and "48 hours after the release" in held.explain()
    counted = due(InstrumentKind.DETAINER, release_eligible_at=friday, hold=BUSINESS_HOLD)
    assert counted is not None and counted.due_at == local(2020, 2, 19, 17)
    assert "a pack that counts so" in counted.explain()


def test_a_hold_runs_no_longer_than_the_agency_allows() -> None:
    shorter = DeadlinePolicy(detainer_hold_hours=24)
    held = due(InstrumentKind.DETAINER, policy=shorter, release_eligible_at=local(2020, 2, 11, 9))
    assert held is not None and held.due_at == local(2020, 2, 12, 9)


def test_an_agency_may_count_state_holidays_in_a_hold() -> None:
    policy = DeadlinePolicy(detainer_counts_state_holidays=True)
    held = due(
        InstrumentKind.DETAINER,
        policy=policy,
        release_eligible_at=local(2020, 2, 11, 17),
        hold=BUSINESS_HOLD,
    )
    assert held is not None
    assert held.due_at == local(2020, 2, 14, 17)


@pytest.mark.parametrize(
    ("day", "why", "next_day"),
    [
        ((2020, 2, 17), r"a holiday \(Washington's Birthday\)", "Tue 18 Feb 2020"),
        ((2020, 2, 22), "a weekend", "Mon 24 Feb 2020"),
    ],
)
def test_a_return_date_on_a_day_off_is_refused_naming_the_next_business_day(
    day: tuple[int, int, int], why: str, next_day: str
) -> None:
    with pytest.raises(InvalidInput, match=f"is {why}.*e.g. {next_day}"):
        due(InstrumentKind.ADMINISTRATIVE_SUBPOENA, return_date=local(*day, 17))
    on_a_weekday = due(InstrumentKind.ADMINISTRATIVE_SUBPOENA, return_date=local(2020, 2, 18, 17))
    assert on_a_weekday is not None


def test_due_for_notification_request_is_the_expected_release() -> None:
    assert due(InstrumentKind.NOTIFICATION_REQUEST) is None
    notified = due(InstrumentKind.NOTIFICATION_REQUEST, release_eligible_at=local(2020, 2, 11, 8))
    assert notified is not None
    assert notified.due_at == local(2020, 2, 11, 8)


def test_due_for_subpoena_and_court_order_need_a_future_date() -> None:
    with pytest.raises(InvalidInput, match="needs its return date"):
        due(InstrumentKind.ADMINISTRATIVE_SUBPOENA)
    with pytest.raises(InvalidInput, match="compliance date 2020-01-31 is in the past"):
        due(InstrumentKind.COURT_ORDER, return_date=local(2020, 1, 31))
    ordered = due(InstrumentKind.COURT_ORDER, return_date=local(2020, 3, 2))
    assert ordered is not None
    assert ordered.label == "compliance date"


def test_due_for_enforcement_petition_has_no_due_date() -> None:
    assert due(InstrumentKind.ENFORCEMENT_PETITION) is None


# Policy.


def test_policy_defaults_and_json_round_trip() -> None:
    stored = json.loads(json.dumps(POLICY.to_json()))
    assert stored["due_local_time"] == "17:00"
    assert DeadlinePolicy.from_json(stored) == POLICY
    assert DeadlinePolicy.from_json({}) == POLICY
    custom = dataclasses.replace(POLICY, timezone="America/Denver", state="CO")
    assert DeadlinePolicy.from_json(custom.to_json()) == custom


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"timezone": "America"}, "unknown timezone 'America'"),
        ({"timezone": "../zoneinfo"}, "unknown timezone"),
        ({"timezone": ""}, "unknown timezone"),
        ({"state": "ZZ"}, "unknown state 'ZZ'"),
        ({"information_request_business_days": 0}, "at least 1"),
        ({"detainer_hold_hours": "48"}, "at least 1"),
        ({"due_local_time": "5pm"}, "is not a time of day"),
        ({"grace_days": 3}, "unknown deadline settings"),
    ],
)
def test_bad_policy_is_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        DeadlinePolicy.from_json(settings)


# Properties.

STARTS = st.datetimes(
    min_value=datetime(2019, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.just(NEW_YORK),
    allow_imaginary=False,
)


@given(start=STARTS)
def test_hold_lasts_at_least_48_hours_and_ends_on_a_business_day(start: datetime) -> None:
    end = hold(start, NY).due_at
    assert end - start >= timedelta(hours=48)
    last_counted = (end - timedelta(microseconds=1)).astimezone(NEW_YORK).date()
    if NY.is_business_day(start.date()):
        assert NY.is_business_day(last_counted)


@given(start=STARTS.map(lambda moment: moment.replace(minute=0, second=0, microsecond=0)))
def test_hold_counts_exactly_48_business_hours(start: datetime) -> None:
    # An independent oracle: step hour by hour on the wall clock, counting business hours.
    cursor, counted = start.replace(tzinfo=None), 0
    while counted < 48:
        counted += NY.is_business_day(cursor.date())
        cursor += timedelta(hours=1)
    assert hold(start, NY).due_at == cursor.replace(tzinfo=NEW_YORK)

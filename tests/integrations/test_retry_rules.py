"""The retry rule, pinned: waits double from 30 s up to 6 h, within ±20 % jitter; a delivery
is tried for at least three days, and given up on the first failure at or after three days."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dinghuo.integrations import retry_rules

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


class Fixed(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.value


@pytest.mark.parametrize(
    ("failed", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (9, 7680), (10, 15360), (11, 21600), (500, 21600)],
)
def test_waits_double_from_30_seconds_to_6_hours(failed, seconds):
    middle = Fixed(0.5)  # a factor of exactly 1
    assert retry_rules.delay(failed, middle) == timedelta(seconds=seconds)


def test_jitter_stays_within_a_fifth_either_way():
    assert retry_rules.delay(1, Fixed(0.0)) == timedelta(seconds=24)
    assert retry_rules.delay(1, Fixed(1.0)) == timedelta(seconds=36)
    assert retry_rules.delay(11, Fixed(1.0)) == timedelta(hours=7, minutes=12)


def test_a_delay_follows_a_failure():
    with pytest.raises(ValueError):
        retry_rules.delay(0)


def test_given_up_only_on_a_failure_three_days_or_more_after_the_first_attempt():
    assert not retry_rules.gives_up(T0, T0 + timedelta(days=3) - timedelta(microseconds=1))
    assert retry_rules.gives_up(T0, T0 + timedelta(days=3))


# A loaded machine must not fail the property for being slow to draw 30 floats.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=30, max_size=30))
def test_a_failing_receiver_is_tried_for_three_days_and_at_most_seven_hours_more(draws):
    # An independent walk of the schedule: sum the waits until the rule gives up.
    moment, failed = T0, 0
    while True:
        failed += 1
        if retry_rules.gives_up(T0, moment):
            break
        moment += retry_rules.delay(failed, Fixed(draws[min(failed, 29)]))
    assert timedelta(days=3) <= moment - T0 <= timedelta(days=3, hours=7, minutes=12)
    assert 20 <= failed <= 26  # all waits at +20 %: 20 tries; all at -20 %: 25

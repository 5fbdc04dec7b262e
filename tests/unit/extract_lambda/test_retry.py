"""Deadline and backoff: bounded, jittered, driven by a patched clock."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from extract_lambda.retry import Backoff, Deadline, parse_retry_after
from tests.fixtures.extract.support import FakeClock


class Context:
    def __init__(self, millis: int) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


def test_deadline_counts_down_on_the_patched_clock():
    clock = FakeClock()
    deadline = clock.deadline(30)
    assert deadline.remaining() == 30
    deadline.sleep(12.5)
    assert clock.sleeps == [12.5]
    assert deadline.remaining() == 17.5
    deadline.sleep(20)
    assert deadline.remaining() == 0 and deadline.expired()


def test_unbounded_deadline():
    deadline = Deadline()
    assert deadline.remaining() == math.inf and not deadline.bounded and not deadline.expired()


def test_lambda_context_keeps_a_reserve():
    clock = FakeClock()
    deadline = Deadline.from_lambda_context(
        Context(60_000), reserve_s=15, monotonic=clock.monotonic, sleep=clock.sleep
    )
    assert deadline.remaining() == 45
    assert Deadline.from_lambda_context(Context(5_000), reserve_s=15).expired()


def test_backoff_is_exponential_with_full_jitter_and_capped():
    backoff = Backoff(base_s=0.5, cap_s=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (12, 4.0)]:
        delays = [backoff.delay(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter covers the range...
        assert min(delays) < ceiling * 0.2  # ...from near zero


def test_retry_after_parsing():
    assert parse_retry_after("17") == 17
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") == 0
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 50 <= parse_retry_after(in_a_minute) <= 61

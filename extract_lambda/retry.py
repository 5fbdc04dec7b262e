"""Time budget and backoff: every wait the extractor makes is bounded by the caller's deadline.

A Lambda has a hard timeout; sleeping past it loses the whole invocation (and with it the
summary and the failure destination's reason). So every sleep goes through a
:class:`Deadline`, which knows how much time is left and whose clock and sleep can be
replaced in tests (no real sleeping there).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


class Deadline:
    """How long the extraction may still run; ``Deadline()`` is unbounded.

    Args:
        seconds: time left from now, or None for no limit.
        monotonic: the clock (``time.monotonic``; tests pass a fake).
        sleep: how to wait (``time.sleep``; tests pass a fake that advances the fake clock).
    """

    def __init__(
        self,
        seconds: float | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._expires_at = None if seconds is None else monotonic() + max(0.0, seconds)

    @classmethod
    def from_lambda_context(
        cls, context: LambdaContext, *, reserve_s: float = 10.0, **kwargs: Any
    ) -> Deadline:
        """The Lambda's remaining time minus `reserve_s` kept for the last write and the summary."""
        remaining_s = context.get_remaining_time_in_millis() / 1000.0
        return cls(max(0.0, remaining_s - reserve_s), **kwargs)

    @property
    def bounded(self) -> bool:
        return self._expires_at is not None

    def remaining(self) -> float:
        if self._expires_at is None:
            return math.inf
        return max(0.0, self._expires_at - self._monotonic())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def now(self) -> float:
        return self._monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2**(attempt-1)))``.

    Full jitter spreads concurrent retriers apart (the AWS Architecture Blog's comparison of
    jitter strategies); the cap bounds any single wait.
    """

    base_s: float
    cap_s: float

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap_s, self.base_s * (2 ** max(0, attempt - 1)))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent/bad."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - time.time()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)

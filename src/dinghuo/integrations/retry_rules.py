"""When a failed webhook delivery is tried again, and when it is given up.

Exponential backoff with jitter: the n-th retry waits FIRST_DELAY · 2^(n-1), at most
LONGEST_DELAY, times a random factor in [1 - JITTER, 1 + JITTER] so that the deliveries an
outage piled up do not all come back in the same second. A delivery is given up only after
an attempt made RETRY_FOR or more after its first attempt has failed: so it is tried for at
least three days, and at most LONGEST_DELAY (+ jitter) longer.
"""

import random
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=6)
JITTER = 0.2
RETRY_FOR = timedelta(days=3)


def delay(failed_attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the `failed_attempts`-th failure (1 for the first)."""
    if failed_attempts < 1:
        raise ValueError("a delay follows a failed attempt")
    # 2**20 · 30 s is far past LONGEST_DELAY: capping the exponent keeps the number small.
    base = min(FIRST_DELAY * (1 << min(failed_attempts - 1, 20)), LONGEST_DELAY)
    factor: float = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return base * factor


def gives_up(first_attempt_at: datetime, failed_at: datetime) -> bool:
    """True when the attempt that failed at `failed_at` was the last one to make."""
    return failed_at - first_attempt_at >= RETRY_FOR

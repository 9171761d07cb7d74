"""When a mail that could not be sent is tried again, and when it is given up (pure rule).

The n-th failure waits FIRST_DELAY · 2^(n-1), at most LONGEST_DELAY: 1, 2, 4, 8, 16, 32 and
60 minutes. The MAX_ATTEMPTS-th failure gives up: a mail is tried 8 times over about two
hours, and then kept as failed (with the server's last answer) for staff to see.
"""

from datetime import timedelta

FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 8


def delay(failed_attempts: int) -> timedelta:
    """How long to wait after the `failed_attempts`-th failure (1 for the first)."""
    if failed_attempts < 1:
        raise ValueError("a delay follows a failed attempt")
    return min(FIRST_DELAY * (1 << min(failed_attempts - 1, 10)), LONGEST_DELAY)


def gives_up(failed_attempts: int) -> bool:
    """True when the attempt that just failed was the last one to make."""
    return failed_attempts >= MAX_ATTEMPTS

"""A phase that cannot measure what it is for fails, loudly, and fails the run with it.

`PhaseFailed` says why. The children that set up a phase's data (Django configured) run
through `run_child`, which turns a child's failure into a `PhaseFailed` with the end of its
traceback, so that a crash is never reported as a figure that was "not measured".
"""

import os
import subprocess
import sys
from collections.abc import Sequence

from bench import load

# Lines of a failed child's stderr kept in the message: the end of its traceback.
TAIL_LINES = 12


class PhaseFailed(Exception):
    """A phase could not measure what it is for; the message says why."""


def child_env(database: str) -> dict[str, str]:
    """The environment of a child process working on the bench database `database`."""
    return {
        **os.environ,
        "DATABASE_URL": load.database_url(database),
        "DB_POOL": "0",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
    }


def run_child(module: str, args: Sequence[str], database: str, *, timeout: float) -> None:
    """Run `python -m <module> <args>` on `database`; PhaseFailed when it fails."""
    cmd = [sys.executable, "-m", module, *args]
    try:
        done = subprocess.run(
            cmd,
            env=child_env(database),
            timeout=timeout,
            capture_output=True,
            text=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PhaseFailed(f"{module} child took more than {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-TAIL_LINES:])
        raise PhaseFailed(f"{module} child exited with {done.returncode}:\n{tail}")

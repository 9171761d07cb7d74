"""gunicorn hooks used by `dinghuo serve`: the housekeeping loop runs beside the workers,
started when the server is ready and stopped with it (HOUSEKEEPING=0 turns it off)."""

import os
import subprocess
import sys
from typing import Any

_housekeeping: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    global _housekeeping
    if os.environ.get("HOUSEKEEPING", "1") == "0":
        return
    every = os.environ.get("HOUSEKEEPING_EVERY", "60")
    _housekeeping = subprocess.Popen(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "dinghuo.cli", "housekeeping", "--every", every]
    )


def on_exit(server: Any) -> None:
    if _housekeeping is not None and _housekeeping.poll() is None:
        _housekeeping.terminate()
        try:
            _housekeeping.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _housekeeping.kill()

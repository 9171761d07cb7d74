"""gunicorn settings and hooks used by `dinghuo serve`: the housekeeping loop runs beside the
workers, started when the server is ready and stopped with it (HOUSEKEEPING=0 turns it off)."""

import os
import subprocess
import sys
from typing import Any

from gunicorn.http import wsgi as gunicorn_wsgi

# Whether a request came over HTTPS is Django's to decide (SECURE_PROXY_SSL_HEADER, only with
# DINGHUO_TRUSTED_PROXY=1); gunicorn would otherwise believe X-Forwarded-Proto from any local
# process.
secure_scheme_headers: dict[str, str] = {}

_housekeeping: subprocess.Popen[bytes] | None = None
_default_headers = gunicorn_wsgi.Response.default_headers


def _headers_without_server(response: Any) -> list[str]:
    # gunicorn has no setting to leave out its `Server: gunicorn` banner, which only tells an
    # attacker what runs here; its raw status/header lines are filtered in every worker (they
    # are forked from the master that read this file).
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


gunicorn_wsgi.Response.default_headers = _headers_without_server


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

"""gunicorn settings and hooks used by `dinghuo serve`: the housekeeping loop and one background
worker (`dinghuo worker`) run beside the web workers, started when the server is ready and
stopped with it (HOUSEKEEPING=0 and WORKER=0 turn them off, e.g. to run workers elsewhere)."""

import os
import subprocess
import sys
from typing import Any

from gunicorn.http import wsgi as gunicorn_wsgi

# Whether a request came over HTTPS is Django's to decide (SECURE_PROXY_SSL_HEADER, only with
# DINGHUO_TRUSTED_PROXY=1); gunicorn would otherwise believe X-Forwarded-Proto from any local
# process.
secure_scheme_headers: dict[str, str] = {}

_helpers: list[subprocess.Popen[bytes]] = []
_default_headers = gunicorn_wsgi.Response.default_headers


def _headers_without_server(response: Any) -> list[str]:
    # gunicorn has no setting to leave out its `Server: gunicorn` banner, which only tells an
    # attacker what runs here; its raw status/header lines are filtered in every worker (they
    # are forked from the master that read this file).
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


gunicorn_wsgi.Response.default_headers = _headers_without_server


def when_ready(server: Any) -> None:
    if os.environ.get("HOUSEKEEPING", "1") != "0":
        every = os.environ.get("HOUSEKEEPING_EVERY", "60")
        _helpers.append(_start("housekeeping", "--every", every))
    if os.environ.get("WORKER", "1") != "0":
        _helpers.append(_start("worker"))


def _start(*command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "dinghuo.cli", *command])  # noqa: S603


def on_exit(server: Any) -> None:
    for helper in _helpers:
        if helper.poll() is None:
            helper.terminate()
    for helper in _helpers:
        try:
            helper.wait(timeout=10)
        except subprocess.TimeoutExpired:
            helper.kill()

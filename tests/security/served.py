"""`dinghuo serve` run for real in a test: a temporary SQLite database and var/ folder, a free
port, gunicorn's access log naming the worker (pid) that answered each request."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

# Settings a developer's shell may carry that would change what is tested.
_CLEARED = (
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DINGHUO_PRODUCTION",
    "REDIS_URL",
    "CACHE_URL",
    "DEBUG",
)


def dinghuo_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `dinghuo` command on its own var/ folder and SQLite database."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(
        DINGHUO_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'dinghuo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="dinghuo.config.settings",
        HOUSEKEEPING="0",
        WORKER="0",
    )
    env.update(extra)
    return env


def dinghuo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `dinghuo <args>` and answer what it did."""
    return subprocess.run(
        [sys.executable, "-m", "dinghuo.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`dinghuo serve --workers N` on 127.0.0.1, logging `<pid> status <method> <path>` per
    request; use as a context manager (stopped on exit, whatever happened)."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 3) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.env = {
            **env,
            "ACCESS_LOG": "1",
            "GUNICORN_CMD_ARGS": '--no-control-socket --access-logformat "%(p)s %(s)s %(m)s %(U)s"',
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        argv = [sys.executable, "-m", "dinghuo.cli", "serve"]
        argv += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def _wait_ready(self, timeout: float = 90) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        booted = len(self._booted())
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()[-2000:]}")
            if len(self._booted()) - booted >= self.workers:
                try:
                    httpx.get(self.url + "/signin/", timeout=5)
                    return
                except httpx.TransportError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start: {self.log_path.read_text()[-2000:]}")

    def _booted(self) -> list[str]:
        return re.findall(r"Booting worker with pid: (\d+)", self.log_path.read_text())

    def answered_by(self, method: str, path: str) -> list[tuple[str, str]]:
        """(worker pid, status) of every logged request with this method and path."""
        lines = re.findall(r"^<(\d+)> (\d{3}) (\w+) (\S+)$", self.log_path.read_text(), re.M)
        return [(pid, status) for pid, status, m, p in lines if m == method and p == path]

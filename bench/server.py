"""The application under test: `dinghuo serve` (gunicorn) on a free local port, always stopped."""

import contextlib
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # Runs in the child before exec: if the bench is killed outright (SIGKILL, OOM), the
    # kernel sends gunicorn's master SIGTERM, and the master stops its workers.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """One gunicorn master with `workers` workers (sync; gthread with threads > 1)."""

    def __init__(self, database_url: str, workers: int, log_path: Path, threads: int = 1) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DB_POOL": "1",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
            "SECRET_KEY": "bench-only-secret-" + "x" * 40,
        }
        env.pop("ACCESS_LOG", None)
        # gunicorn's control socket has one default path per user: two servers would fight.
        env["GUNICORN_CMD_ARGS"] = "--no-control-socket"
        env["HOUSEKEEPING"] = "0"  # no background jobs competing with the measured requests
        # One key places orders far faster than any client may: its limits are out of reach,
        # while every request is still counted (the limits' cost is part of the figures).
        for limit in ("READS", "WRITES", "ANONYMOUS"):
            env.setdefault(f"DINGHUO_API_{limit}_PER_MINUTE", "100000000")
        env.setdefault("WORKER", "0")
        cmd = [sys.executable, "-m", "dinghuo.cli", "serve"]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        cmd += ["--threads", str(threads)]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            cmd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Safe here: servers start before the bench has any other thread.
            preexec_fn=_die_with_parent,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until the server answers HTTP (any status) and all workers are up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}; see {self.log_path}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/openapi.json")
                conn.getresponse().read()
                conn.close()
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"server did not answer within {timeout:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's child processes."""
        master = self.process.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: fields follow the last ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_rss_mb(self) -> dict[int, float]:
        """Resident set size of each worker, in MB (VmRSS)."""
        out = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1]) / 1024
        return out

    def last_errors(self, count: int = 3) -> list[str]:
        """The last distinct exception lines the server logged (for a loud 5xx report)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        found: list[str] = []
        for line in reversed(text.splitlines()):
            head = line.split(":", 1)[0]
            if head.endswith(("Error", "Exception")) and " " not in head and line not in found:
                found.append(line)
                if len(found) == count:
                    break
        return found

    def stop(self, timeout: float = 15) -> None:
        """Stop the master and its workers (TERM, then KILL the process group)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # A worker that outlived its master (it should not) is still in the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

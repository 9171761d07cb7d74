"""A PostgreSQL cluster of the test's own (temp data directory, free port, fsync off), so the
test can restart and stop it without touching the server other tests use.

initdb refuses to run as root. As root (this machine, its CI clones) the cluster is made and
run by the `postgres` system user through `runuser`; as any other user, by that user. Without
initdb/pg_ctl (PATH or /usr/local/bin) or, as root, without `runuser` and a `postgres` user,
`Cluster.missing()` says why and the test skips.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from bench.server import free_port

RUN_AS = "postgres"


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    fallback = Path("/usr/local/bin") / name
    return str(fallback) if fallback.exists() else None


class Cluster:
    """One throw-away PostgreSQL server on 127.0.0.1:`port`, trust authentication."""

    @staticmethod
    def missing() -> str | None:
        """Why a cluster cannot be made here, or None when it can."""
        for name in ("initdb", "pg_ctl"):
            if _tool(name) is None:
                return f"{name} not found (PATH or /usr/local/bin): install PostgreSQL's server"
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                return "running as root, and runuser is missing (initdb refuses root)"
            try:
                pwd.getpwnam(RUN_AS)
            except KeyError:
                return f"running as root, and there is no {RUN_AS!r} user to run initdb as"
        return None

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="dinghuo-faults-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", RUN_AS, "--"]
        else:
            self._as = []
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync", "--no-instructions",
            )  # fmt: skip
        except RuntimeError:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def url(self, database: str) -> str:
        """The URL of `database` on this cluster (the app's form: postgres://)."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self._as, _tool(tool) or tool, *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stdout}{done.stderr}")

    def _pg_ctl(self, action: str, *extra: str) -> None:
        server = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        server += " -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "30", "-o", server, *extra)  # fmt: skip

    def start(self) -> None:
        """Start the server; return when it accepts connections."""
        self._pg_ctl("start")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: sessions are ended, the server comes back."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: sessions are ended, the server is gone."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "30")

    def accepting(self) -> bool:
        """Whether a new connection to the server succeeds right now."""
        try:
            psycopg.connect(self.url("postgres").replace("postgres://", "postgresql://", 1),
                            connect_timeout=2).close()  # fmt: skip
        except psycopg.Error:
            return False
        return True

    def wait_accepting(self, timeout: float = 30) -> float:
        """Poll until a connection succeeds; the monotonic time it first did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.accepting():
                return time.monotonic()
            time.sleep(0.02)
        raise TimeoutError(f"the cluster did not come back within {timeout} s; see {self.log}")

    def connected(self, pids: list[int]) -> set[int]:
        """Those of the processes `pids` that hold a TCP connection to this cluster now."""
        port = f":{self.port:04X}"
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[2].endswith(port) and fields[3] == "01":  # remote end, ESTABLISHED
                inodes.add(f"socket:[{fields[9]}]")
        found = set()
        for pid in pids:
            with contextlib.suppress(OSError):
                fds = Path(f"/proc/{pid}/fd")
                if any(os.readlink(fd) in inodes for fd in fds.iterdir()):
                    found.add(pid)
        return found

    def create_database(self, name: str) -> None:
        """A new empty database on this cluster."""
        url = self.url("postgres").replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def destroy(self) -> None:
        """Stop the server (immediately) and remove its files."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)

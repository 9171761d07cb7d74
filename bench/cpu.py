"""How much the rest of the machine got in the way while a scenario was measured.

On a shared 2-core machine a test suite running next to the bench can halve its figures.
Others' CPU share: CPU time of all processes (interrupt time left out), minus the bench's own
processes (clients, servers), the PostgreSQL sessions on the bench database and PostgreSQL's
own background processes, over the window's CPU capacity. It is an estimate: a few percent
on a quiet machine is noise.
IO stall: the share of the window in which some task waited for IO (Linux PSI): every commit
waits for a WAL flush, and other databases on the same server flush too.
"""

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

_HZ = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    # user nice system idle iowait irq softirq steal: only time spent by processes counts,
    # since interrupt time (loopback traffic, disk completions) cannot be told apart.
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return fields[0] + fields[1] + fields[2]


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                parents[int(entry.name)] = int(fields[1])
    found = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def _backends(database: str) -> set[int]:
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3, autocommit=True
        ) as conn,
    ):
        # The server's own processes (WAL writer, checkpointer, …) work mostly for the bench
        # when it commits hundreds of orders a second: count them as the bench's.
        query = (
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = %s OR backend_type <> 'client backend'"
        )
        rows = conn.execute(query, (database,)).fetchall()
        return {int(row[0]) for row in rows}
    return set()


@dataclass
class Sample:
    """CPU counters at one moment."""

    busy: int
    ours: dict[int, int]
    at: float
    io_stall_us: int | None


def sample(database: str) -> Sample:
    """Busy ticks of the machine and of each bench process and bench database session."""
    ours = {}
    for pid in _descendants(os.getpid()) | _backends(database):
        fields = _stat(pid)
        if fields:
            ours[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return Sample(_busy_ticks(), ours, os.times().elapsed, _io_stall_us())


def _io_stall_us() -> int | None:
    try:
        some = Path("/proc/pressure/io").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(some.rsplit("total=", 1)[1])


def io_stall_share(first: Sample, last: Sample) -> float:
    """Share of the time between two samples in which some task was stalled on IO (0–1)."""
    if first.io_stall_us is None or last.io_stall_us is None or last.at <= first.at:
        return float("nan")
    return (last.io_stall_us - first.io_stall_us) / 1e6 / (last.at - first.at)


def other_share(first: Sample, last: Sample) -> float:
    """Share of the machine's CPU capacity used by others between two samples (0–1)."""
    # A process of ours that ended inside the window took its ticks with it and inflates the
    # share of others; none should (clients and workers live through the window).
    ours = sum(ticks - first.ours.get(pid, 0) for pid, ticks in last.ours.items())
    capacity = (last.at - first.at) * _HZ * (os.cpu_count() or 1)
    if capacity <= 0:
        return float("nan")
    return max(0.0, (last.busy - first.busy - ours) / capacity)


def wait_quiet(database: str, *, timeout: float, threshold: float = 0.15) -> float:
    """Wait up to `timeout` s for a second in which others use under `threshold` of the CPU.

    Returns the last share seen; the caller measures anyway when the machine stays busy (and
    the report shows how busy it was).
    """
    deadline = time.monotonic() + timeout
    share = float("nan")
    while True:
        first = sample(database)
        time.sleep(1.0)
        share = other_share(first, sample(database))
        if share < threshold or time.monotonic() >= deadline:
            return share

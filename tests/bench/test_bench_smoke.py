"""`make bench` end to end on small data: it runs, stops by itself and sees no server error.

No timing is asserted: figures depend on the machine and on what else runs on it.
"""

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_reachable() -> str | None:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc.__class__.__name__})"
    return None


@pytest.mark.postgres
def test_quick_bench_runs_and_sees_no_server_error() -> None:
    unreachable = _postgres_reachable()
    if unreachable:
        pytest.skip(unreachable)
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--duration", "2", "--concurrency", "1,2"]
    # Its own database, so that a `make bench` running at the same time is left alone.
    cmd += ["--database", "dinghuo_bench_smoke", "--catalog-requests", "50"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert re.search(r"^ratio API/plain-SQL uniform c=1 workers=\d+: \d+%", done.stdout, re.M), (
        output
    )
    assert re.search(r"^ratio API/plain-SQL hot c=2 workers=\d+: \d+%", done.stdout, re.M), output
    assert "server errors (5xx other than 503, broken connections): 0" in done.stdout, output

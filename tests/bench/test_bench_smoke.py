"""`make bench` end to end on small data: it runs, stops by itself and sees no server error.

No timing is asserted: figures depend on the machine and on what else runs on it.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "dinghuo_bench_smoke"


def _postgres_reachable() -> str | None:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc.__class__.__name__})"
    return None


def _grouped(companies: list[int]) -> int:
    """How many of `companies` belong to a customer group in the smoke database."""
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT count(*) FROM customers_company_groups WHERE company_id = ANY(%s)",
            (companies,),
        ).fetchone()
    return int(row[0]) if row else -1


@pytest.mark.postgres
def test_quick_bench_runs_and_sees_no_server_error() -> None:
    unreachable = _postgres_reachable()
    if unreachable:
        pytest.skip(unreachable)
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--duration", "2", "--concurrency", "2"]
    # Its own database, so that a `make bench` running at the same time is left alone.
    cmd += ["--database", DATABASE, "--catalog-requests", "50"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert re.search(r"^ratio API/plain-SQL uniform c=2 workers=\d+: \d+%", done.stdout, re.M), (
        output
    )
    assert re.search(r"^ratio API/plain-SQL hot c=2 workers=\d+: \d+%", done.stdout, re.M), output
    assert "server errors (5xx other than 503, broken connections): 0" in done.stdout, output
    # Every phase measured something: none is "not measured" or FAILED.
    assert re.search(r"^p95 within target: \d+ of 8;", done.stdout, re.M), output
    assert "- price book of 50 SKUs with every source:" in done.stdout, output
    assert "FAILED" not in output and "not measured" not in output, output[-4000:]
    # The price phase's customer group (and the assortment it is given) holds companies of
    # its own only: the companies the other phases order and sign in with see everything.
    world = json.loads((ROOT / "bench" / "results" / f"world-{DATABASE}.json").read_text())
    assert _grouped([company for company, _ in world["companies"]]) == 0
